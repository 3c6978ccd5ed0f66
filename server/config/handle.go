package config

import (
	"fmt"
	"sync/atomic"
)

// A Handle is where a server reads a parameter's current value: typed, and
// with Load a single atomic read, so that it costs next to nothing on paths
// that run for every command or connection.
//
// A Handle is given to its parameter in Param.Handle. The Config then stores
// in it every value the parameter takes, the default at New, the loaded
// value at Load and every change of Set, each before the parameter's Apply
// is told of it. T must be the type of the Kind's values (bool for Bool,
// int64 for Int, uint64 for Memory, string for Enum, String and Dir,
// []SavePoint for Save, BufferLimits for OutputBufferLimits, []string for
// Bind): New refuses a Handle of another type.
//
// The zero Handle is ready to use and loads the zero T until a Config
// stores a value in it. A Handle must not be copied after first use.
type Handle[T any] struct {
	v atomic.Pointer[T]
}

// Load returns the parameter's current value. Values of slice types share
// their arrays with the Config and must not be modified.
func (h *Handle[T]) Load() T {
	if p := h.v.Load(); p != nil {
		return *p
	}
	var zero T
	return zero
}

// A Holder receives a parameter's values: *Handle[T] is the implementation,
// for every T.
type Holder interface {
	// check reports an error if v is not of the holder's type.
	check(v any) error
	// hold makes v, which passed check, the current value.
	hold(v any)
}

func (h *Handle[T]) check(v any) error {
	if _, ok := v.(T); !ok {
		return fmt.Errorf("config: %T cannot hold a value of type %T", h, v)
	}
	return nil
}

func (h *Handle[T]) hold(v any) {
	t := v.(T)
	h.v.Store(&t)
}
