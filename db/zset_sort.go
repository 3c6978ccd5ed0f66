package db

// ToSkiplist makes a listpack sorted set a skiplist, as Redis's
// zsetConvert does to every sorted set SORT and SORT_RO sort: the encoding
// changes for good (OBJECT ENCODING shows it), the members and scores do
// not, so it is no change for WATCH. The set must have been handed out for
// change (KeyLock.MutableZSet), which protects a snapshot that holds it.
func (z *ZSet) ToSkiplist() {
	if z.sl == nil {
		z.convert()
	}
}
