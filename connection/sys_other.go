//go:build unix && !linux

package connection

import "syscall"

// readNoWait and writeNoWait are read(2) and write(2) on a non-blocking
// socket.
func readNoWait(fd int, b []byte) (int, error) { return syscall.Read(fd, b) }

func writeNoWait(fd int, b []byte) (int, error) { return syscall.Write(fd, b) }

// An inputHint would tell, with each read, whether the socket holds more
// input; only Linux has one (TCP_INQ).
type inputHint struct{}

// enable reports that there is no hint here.
func (h *inputHint) enable(fd int) bool { return false }

// read is readNoWait; more is always true, as nothing is known.
func (h *inputHint) read(fd int, b []byte) (n int, more bool, err error) {
	n, err = readNoWait(fd, b)
	return n, true, err
}
