//go:build !linux

package server

import "os"

// dataSync flushes f to disk. Systems other than Linux get fsync(2)
// (os.File.Sync), as Redis uses fsync where fdatasync is missing, and
// the scheduler is always told.
func dataSync(f *os.File, inline bool) error { return f.Sync() }
