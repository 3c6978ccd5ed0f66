package main

import (
	"bytes"
	"os"
	"testing"
)

// The checked-in data and the file generated from it, relative to this
// package's directory.
const (
	dataPath = "../../server/commanddata/redis-7.0.15.json"
	genPath  = "../../server/commands_gen.go"
)

// TestGeneratedFileIsUpToDate regenerates server/commands_gen.go in memory
// from the checked-in capture and compares the bytes with the checked-in
// file, so that neither is edited without the other.
func TestGeneratedFileIsUpToDate(t *testing.T) {
	data, err := os.ReadFile(dataPath)
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile(genPath)
	if err != nil {
		t.Fatal(err)
	}
	got, err := generate(data)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s is stale: run go generate ./server (or go run ./tools/gencommands)", genPath)
	}
	again, err := generate(data)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, again) {
		t.Error("two runs of the generator on the same data differ")
	}
}

// TestGenerateRejectsWhatServerCannotWrite checks that data package server
// could not reproduce is an error rather than lost silently.
func TestGenerateRejectsWhatServerCannotWrite(t *testing.T) {
	for name, data := range map[string]string{
		"unknown field":      `{"redis_version": "7.0.15", "commands": {"x": {"info": {"arity": 1, "color": "red"}, "docs": {"group": "g"}}}}`,
		"unknown flag":       `{"redis_version": "7.0.15", "commands": {"x": {"info": {"arity": 1, "flags": ["shiny"]}, "docs": {"group": "g"}}}}`,
		"flags out of order": `{"redis_version": "7.0.15", "commands": {"x": {"info": {"arity": 1, "flags": ["fast", "write"]}, "docs": {"group": "g"}}}}`,
		"unknown search": `{"redis_version": "7.0.15", "commands": {"x": {"info": {"arity": 1, "key_specs": [
			{"flags": [], "begin_search": {"type": "sideways", "spec": {}}, "find_keys": {"type": "unknown", "spec": {}}}]}, "docs": {"group": "g"}}}}`,
		"spec fields of another type": `{"redis_version": "7.0.15", "commands": {"x": {"info": {"arity": 1, "key_specs": [
			{"flags": [], "begin_search": {"type": "index", "spec": {"keyword": "K", "startfrom": 1}}, "find_keys": {"type": "unknown", "spec": {}}}]}, "docs": {"group": "g"}}}}`,
		"no group":    `{"redis_version": "7.0.15", "commands": {"x": {"info": {"arity": 1}, "docs": {}}}}`,
		"no commands": `{"redis_version": "7.0.15", "commands": {}}`,
	} {
		if _, err := generate([]byte(data)); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}
