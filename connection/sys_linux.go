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

// tcpInq is TCP_INQ from linux/tcp.h, both the socket option and the type
// of the control message (TCP_CM_INQ) it adds to each recvmsg(2).
const tcpInq = 36

// An inputHint reads a TCP socket with recvmsg(2) and TCP_INQ, so that
// each read also tells whether the socket holds more input: the bytes
// still queued, or 1 when there are none but the peer has closed. A read
// that came back short is not proof that the socket was drained: when the
// peer's close arrived with its last bytes, in one readiness edge, the read
// returns the bytes and leaves the end of input for a next read, and no
// edge is to come for it.
type inputHint struct {
	iov syscall.Iovec
	msg syscall.Msghdr
	// oob holds one control message; uint64s keep it aligned for the
	// header.
	oob [4]uint64
}

// enable turns the hint on for the socket fd, and reports whether the
// socket supports it (TCP on Linux 4.18 and later).
func (h *inputHint) enable(fd int) bool {
	return syscall.SetsockoptInt(fd, syscall.IPPROTO_TCP, tcpInq, 1) == nil
}

// read reads into b as readNoWait does. more reports whether the socket
// holds more input or its end, as far as the kernel knew when it returned.
func (h *inputHint) read(fd int, b []byte) (n int, more bool, err error) {
	h.iov.Base = unsafe.SliceData(b)
	h.iov.SetLen(len(b))
	h.msg.Iov = &h.iov
	h.msg.Iovlen = 1
	h.msg.Control = (*byte)(unsafe.Pointer(&h.oob))
	h.msg.SetControllen(int(unsafe.Sizeof(h.oob)))
	r, _, e := syscall.RawSyscall(syscall.SYS_RECVMSG, uintptr(fd), uintptr(unsafe.Pointer(&h.msg)), syscall.MSG_DONTWAIT)
	h.iov.Base = nil
	if e != 0 {
		return -1, false, e
	}
	more = true // unless the kernel says otherwise
	if int(h.msg.Controllen) >= syscall.CmsgLen(4) {
		hdr := (*syscall.Cmsghdr)(unsafe.Pointer(&h.oob))
		if hdr.Level == syscall.SOL_TCP && hdr.Type == tcpInq {
			more = *(*int32)(unsafe.Add(unsafe.Pointer(&h.oob), syscall.CmsgLen(0))) != 0
		}
	}
	return int(r), more, nil
}
