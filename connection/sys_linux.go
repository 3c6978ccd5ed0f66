package connection

import (
	"syscall"
	"unsafe"
)

// readNoWait and writeNoWait are read(2) and write(2) on a non-blocking
// socket, as syscall.Read and syscall.Write but without telling the
// scheduler (entersyscall, exitsyscall): a call that cannot block need not
// let another thread take its P, and telling it cost about 350 of the 4970
// instructions of an unpipelined request (callgrind, redis-benchmark -P 1).
// The error is the bare Errno, or nil.
func readNoWait(fd int, b []byte) (int, error) {
	n, _, e := syscall.RawSyscall(syscall.SYS_READ, uintptr(fd), uintptr(unsafe.Pointer(unsafe.SliceData(b))), uintptr(len(b)))
	if e != 0 {
		return -1, e
	}
	return int(n), nil
}

func writeNoWait(fd int, b []byte) (int, error) {
	n, _, e := syscall.RawSyscall(syscall.SYS_WRITE, uintptr(fd), uintptr(unsafe.Pointer(unsafe.SliceData(b))), uintptr(len(b)))
	if e != 0 {
		return -1, e
	}
	return int(n), nil
}
