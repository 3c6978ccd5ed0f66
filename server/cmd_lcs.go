package server

// LCS key1 key2 [LEN] [IDX] [MINMATCHLEN len] [WITHMATCHLEN]
//
// The longest common subsequence of two strings, by the classic dynamic
// programming table; with IDX, the matching ranges, found by walking the
// table back from the end as Redis does, so they come out last first.
func cmdLCS(c *client, args [][]byte) {
	tx := c.db().Read(args[1], args[2])
	va, vb := c.lookupRead(&tx, args[1]), c.lookupRead(&tx, args[2])
	tx.Close()
	sa, okA := asString(va)
	sb, okB := asString(vb)
	if !okA || !okB {
		c.conn.WriteError(errLCSKeysNotStr)
		return
	}
	a, b := bytesOf(sa), bytesOf(sb)
	req, errText := parseLCS(args)
	if errText != "" {
		c.conn.WriteError(errText)
		return
	}
	if req.getLen && req.getIdx {
		c.conn.WriteError(errLCSLenAndIdx)
		return
	}
	// The table is transient, but it may be huge: Redis refuses one larger
	// than proto-max-bulk-len.
	if cells := int64(len(a)+1) * int64(len(b)+1); cells*4 > c.server.maxBulkLen() {
		c.conn.WriteError(errLCSMemory)
		return
	}
	res := lcs(a, b, req.minMatchLen, req.getIdx)
	switch {
	case req.getIdx:
		c.conn.WriteMapLen(2)
		c.conn.WriteBulkString("matches")
		c.conn.WriteArrayLen(len(res.matches))
		for _, m := range res.matches {
			if req.withMatchLen {
				c.conn.WriteArrayLen(3)
			} else {
				c.conn.WriteArrayLen(2)
			}
			c.conn.WriteArrayLen(2)
			c.conn.WriteInt(int64(m.aStart))
			c.conn.WriteInt(int64(m.aEnd))
			c.conn.WriteArrayLen(2)
			c.conn.WriteInt(int64(m.bStart))
			c.conn.WriteInt(int64(m.bEnd))
			if req.withMatchLen {
				c.conn.WriteInt(int64(m.aEnd - m.aStart + 1))
			}
		}
		c.conn.WriteBulkString("len")
		c.conn.WriteInt(int64(res.length))
	case req.getLen:
		c.conn.WriteInt(int64(res.length))
	default:
		c.conn.WriteBulk(res.seq)
	}
}

type lcsRequest struct {
	getLen, getIdx, withMatchLen bool
	minMatchLen                  int64
}

func parseLCS(args [][]byte) (lcsRequest, string) {
	var req lcsRequest
	for i := 3; i < len(args); i++ {
		switch opt := args[i]; {
		case is(opt, "idx"):
			req.getIdx = true
		case is(opt, "len"):
			req.getLen = true
		case is(opt, "withmatchlen"):
			req.withMatchLen = true
		case is(opt, "minmatchlen") && i+1 < len(args):
			n, ok := parseInt(args[i+1])
			if !ok {
				return req, errNotInteger
			}
			req.minMatchLen = max(n, 0)
			i++
		default:
			return req, errSyntax
		}
	}
	return req, ""
}

// lcsMatch is one range of matching bytes: a[aStart..aEnd] equals
// b[bStart..bEnd].
type lcsMatch struct{ aStart, aEnd, bStart, bEnd int }

type lcsResult struct {
	length  int
	seq     []byte
	matches []lcsMatch
}

// lcs computes the longest common subsequence of a and b, and with ranges,
// the runs of it that are contiguous in both, longest-first-found from the
// end, keeping those of at least minLen bytes.
func lcs(a, b []byte, minLen int64, ranges bool) lcsResult {
	w := len(b) + 1
	table := make([]uint32, (len(a)+1)*w)
	at := func(i, j int) uint32 { return table[i*w+j] }
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			switch {
			case a[i-1] == b[j-1]:
				table[i*w+j] = at(i-1, j-1) + 1
			default:
				table[i*w+j] = max(at(i-1, j), at(i, j-1))
			}
		}
	}
	res := lcsResult{length: int(at(len(a), len(b)))}
	res.seq = make([]byte, res.length)
	k := res.length
	// The run being followed, walking backwards, while inRun.
	var run lcsMatch
	inRun := false
	emit := func() {
		if ranges && (minLen == 0 || int64(run.aEnd-run.aStart+1) >= minLen) {
			res.matches = append(res.matches, run)
		}
		inRun = false
	}
	for i, j := len(a), len(b); i > 0 && j > 0; {
		if a[i-1] == b[j-1] {
			k--
			res.seq[k] = a[i-1]
			switch {
			case !inRun:
				run = lcsMatch{aStart: i - 1, aEnd: i - 1, bStart: j - 1, bEnd: j - 1}
				inRun = true
			case run.aStart == i && run.bStart == j:
				run.aStart--
				run.bStart--
			}
			i--
			j--
			// A run that reached the start of either string ends here.
			if run.aStart == 0 || run.bStart == 0 {
				emit()
			}
			continue
		}
		if at(i-1, j) > at(i, j-1) {
			i--
		} else {
			j--
		}
		if inRun {
			emit()
		}
	}
	return res
}
