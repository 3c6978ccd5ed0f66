package server

import "syscall"

// Errors from the operating system that the server treats specially.
const (
	errTooManyOpenFiles = syscall.EMFILE
	errConnReset        = syscall.ECONNRESET
)
