package config_test

import (
	"fmt"
	"log"
	"math"
	"sync/atomic"

	"github.com/mini-redis/mini-redis/server/config"
)

// A server registers its parameters, each pushing its values into the
// server's state through Apply, loads its command line, then serves CONFIG
// GET and CONFIG SET.
func Example() {
	var maxmemory atomic.Uint64
	cfg, err := config.New(
		config.Param{Name: "port", Kind: config.Int{Min: 0, Max: 65535}, Default: "6379", Immutable: true},
		config.Param{Name: "maxmemory", Kind: config.Memory{Max: math.MaxUint64}, Default: "0",
			Apply: func(v config.Value) error { maxmemory.Store(v.Uint()); return nil }},
		config.Param{Name: "save", Kind: config.Save{}, Default: "3600 1 300 100 60 10000"},
	)
	if err != nil {
		log.Fatal(err)
	}
	// redis-server [file] --name value ...
	if err := cfg.Load([]string{"--maxmemory", "1gb", "--save", ""}, nil); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(maxmemory.Load())

	fmt.Println(cfg.Set("maxmemory", "100mb", "save", "60 1"))
	fmt.Println(maxmemory.Load())
	fmt.Println(cfg.Set("port", "7000"))
	for _, p := range cfg.Get("*") {
		fmt.Printf("%s: %q\n", p.Name, p.Value)
	}
	// Output:
	// 1073741824
	// <nil>
	// 104857600
	// ERR CONFIG SET failed (possibly related to argument 'port') - can't set immutable config
	// maxmemory: "104857600"
	// port: "6379"
	// save: "60 1"
}
