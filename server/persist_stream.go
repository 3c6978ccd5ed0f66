package server

import (
	"fmt"
	"math"

	"github.com/mini-redis/mini-redis/db"
	"github.com/mini-redis/mini-redis/db/rdb"
)

// streamOf returns the stream of a dump's entry, its nodes as the dump
// cut them (Redis loads the listpacks as they are), its groups,
// consumers and pending entries. rdb.Reader has checked the entries'
// order and the PELs' consistency.
func streamOf(e rdb.Entry) (db.Value, error) {
	rs := e.Stream
	if rs == nil {
		return nil, fmt.Errorf("stream %q has no value", e.Key)
	}
	s := db.NewStream()
	var es []db.StreamLoadEntry
	for _, n := range rs.Nodes {
		es = es[:0]
		for _, re := range n.Entries {
			kv := make([][]byte, 0, 2*len(re.Pairs))
			for _, p := range re.Pairs {
				kv = append(kv, p.Field, p.Value)
			}
			es = append(es, db.StreamLoadEntry{ID: dbID(re.ID), Deleted: re.Deleted, KV: kv})
		}
		s.LoadNode(dbID(n.Master), n.Fields, es)
	}
	s.LoadMeta(dbID(rs.LastID), dbID(rs.FirstID), dbID(rs.MaxDeletedID), int64(rs.EntriesAdded))
	for _, rg := range rs.Groups {
		g := s.CreateGroup(string(rg.Name), dbID(rg.LastID), rg.EntriesRead)
		if g == nil {
			return nil, fmt.Errorf("stream %q has the group %q twice (Duplicated consumer group name)", e.Key, rg.Name)
		}
		pending := make(map[rdb.StreamID]rdb.StreamPending, len(rg.PEL))
		for _, pe := range rg.PEL {
			pending[pe.ID] = pe
		}
		for _, rc := range rg.Consumers {
			c := g.CreateConsumer(string(rc.Name), rc.SeenTime)
			if c == nil {
				return nil, fmt.Errorf("stream %q has the consumer %q twice", e.Key, rc.Name)
			}
			// Redis 7.0 keeps no active time: the seen time stands for it.
			c.ActiveTime = rc.SeenTime
			for _, id := range rc.PEL {
				rp := pending[id]
				pe := g.AddPending(dbID(id), c, rp.DeliveryTime)
				pe.DeliveryCount = rp.DeliveryCount
			}
		}
	}
	return s, nil
}

func dbID(id rdb.StreamID) db.StreamID { return db.StreamID{Ms: id.Ms, Seq: id.Seq} }

func rdbID(id db.StreamID) rdb.StreamID { return rdb.StreamID{Ms: id.Ms, Seq: id.Seq} }

// streamEntry fills e, an RDB entry, with stream s, which must not change
// until the entry is written.
func streamEntry(e *rdb.Entry, s *db.Stream) {
	e.Type, e.Encoding = rdb.TypeStream, "stream"
	rs := &rdb.Stream{
		Length:       uint64(s.Len()),
		LastID:       rdbID(s.LastID()),
		FirstID:      rdbID(s.FirstID()),
		MaxDeletedID: rdbID(s.MaxDeletedID()),
		EntriesAdded: uint64(s.EntriesAdded()),
	}
	s.NodeEntries(func(master db.StreamID, fields []string, es []db.StreamLoadEntry) {
		n := rdb.StreamNode{Master: rdbID(master), Fields: make([][]byte, len(fields)), Entries: make([]rdb.StreamEntry, len(es))}
		for i, f := range fields {
			n.Fields[i] = stringBytes(f)
		}
		for i, le := range es {
			re := rdb.StreamEntry{ID: rdbID(le.ID), Deleted: le.Deleted, Pairs: make([]rdb.HashPair, len(le.KV)/2)}
			for j := range re.Pairs {
				re.Pairs[j] = rdb.HashPair{Field: le.KV[2*j], Value: le.KV[2*j+1]}
			}
			n.Entries[i] = re
		}
		rs.Nodes = append(rs.Nodes, n)
	})
	for _, g := range s.Groups() {
		rg := rdb.StreamGroup{Name: stringBytes(g.Name), LastID: rdbID(g.LastID), EntriesRead: g.EntriesRead}
		g.PEL.Range(db.StreamID{}, db.StreamID{Ms: math.MaxUint64, Seq: math.MaxUint64}, false, func(pe *db.StreamPending) bool {
			rg.PEL = append(rg.PEL, rdb.StreamPending{ID: rdbID(pe.ID), DeliveryTime: pe.DeliveryTime, DeliveryCount: pe.DeliveryCount})
			return true
		})
		for _, c := range g.Consumers() {
			rc := rdb.StreamConsumer{Name: stringBytes(c.Name), SeenTime: c.SeenTime}
			c.PEL.Range(db.StreamID{}, db.StreamID{Ms: math.MaxUint64, Seq: math.MaxUint64}, false, func(pe *db.StreamPending) bool {
				rc.PEL = append(rc.PEL, rdbID(pe.ID))
				return true
			})
			rg.Consumers = append(rg.Consumers, rc)
		}
		rs.Groups = append(rs.Groups, rg)
	}
	e.Stream = rs
}
