package rdb_test

import (
	"bytes"
	"fmt"
	"log"
	"time"

	"github.com/mini-redis/mini-redis/db/rdb"
)

func Example() {
	// Write a snapshot of two databases...
	var file bytes.Buffer
	w := rdb.NewWriter(&file, rdb.WriterOptions{Time: time.Unix(1700000000, 0)})
	for _, e := range []rdb.Entry{
		{DB: 0, Key: []byte("greeting"), Value: []byte("hello")},
		{DB: 0, Key: []byte("counter"), Value: []byte("42"), ExpireAt: 4102444800000},
		{DB: 1, Key: []byte("other"), Value: []byte("db")},
		{DB: 1, Key: []byte("queue"), Type: rdb.TypeList, Elems: [][]byte{[]byte("a"), []byte("b")}},
		{DB: 1, Key: []byte("tags"), Type: rdb.TypeSet, Encoding: rdb.EncodingIntset, Elems: [][]byte{[]byte("7"), []byte("3")}},
	} {
		if err := w.WriteEntry(e); err != nil {
			log.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		log.Fatal(err)
	}

	// ...and load it into a fresh keyspace, to be used only if Load
	// succeeds.
	fresh := make(map[string]string)
	info, err := rdb.Load(&file, func(e rdb.Entry) error {
		id := fmt.Sprintf("%d:%s", e.DB, e.Key)
		switch e.Type {
		case rdb.TypeString:
			fresh[id] = string(e.Value)
		default:
			fresh[id] = fmt.Sprintf("%s %s %q", e.Type, e.Encoding, e.Elems)
		}
		return nil
	})
	if err != nil {
		log.Fatal(err) // keep the old keyspace
	}
	fmt.Println(info.Version, info.Keys, info.Aux["ctime"], fresh)
	// Output: 10 5 1700000000 map[0:counter:42 0:greeting:hello 1:other:db 1:queue:list quicklist ["a" "b"] 1:tags:set intset ["3" "7"]]
}
