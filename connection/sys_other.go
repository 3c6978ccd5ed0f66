//go:build unix && !linux

package connection

import "syscall"

// readNoWait and writeNoWait are read(2) and write(2) on a non-blocking
// socket.
func readNoWait(fd int, b []byte) (int, error) { return syscall.Read(fd, b) }

func writeNoWait(fd int, b []byte) (int, error) { return syscall.Write(fd, b) }
