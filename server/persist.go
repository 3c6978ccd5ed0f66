package main

import (
	"errors"
	"time"
)

// persistence is the state of RDB saving.
type persistence struct {
	lastSave time.Time
}

// persistInfo is what INFO persistence reports.
type persistInfo struct {
	inProgress                     bool
	lastSave                       time.Time
	lastStatus                     string
	lastDurationSec, currentSec    int64
	saves                          int64
	keysProcessed, keysTotal       int64
	loadExpired, loadLoaded        int64
}

func (s *Server) persistenceInfo() persistInfo {
	return persistInfo{lastSave: s.persist.lastSave, lastStatus: "ok", lastDurationSec: -1, currentSec: -1}
}

// writesRefused reports whether writes are refused because the last
// background save failed (stop-writes-on-bgsave-error).
func (s *Server) writesRefused() bool { return false }

// shutdownFromCommand starts a graceful shutdown asked for by SHUTDOWN.
func (s *Server) shutdownFromCommand(req shutdownRequest) error {
	if s.requestShutdown == nil {
		return errors.New("server: no shutdown hook")
	}
	s.requestShutdown()
	return nil
}
