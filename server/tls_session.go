package server

import (
	"container/list"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"slices"
	"strings"
	"sync"
	"time"
)

// TLS session resumption and cipher preference as Redis configures
// OpenSSL: a server-side session cache of tls-session-cache-size sessions
// that live tls-session-cache-timeout seconds (OpenSSL's
// SSL_CTX_sess_set_cache_size and SSL_CTX_set_timeout), and
// tls-prefer-server-ciphers choosing whose order of TLS 1.2 cipher suites
// wins. Go's own resumption is by stateless tickets that hold the whole
// session; here a ticket is only the id of a session the server keeps, so
// that the cache's size and timeout hold.

// opensslSessionTimeout is how long a session lives with
// tls-session-cache-timeout 0, for which Redis keeps OpenSSL's default
// (tls1_default_timeout).
const opensslSessionTimeout = 2 * time.Hour

// tlsSessionIDLen is the bytes of a session's random id.
const tlsSessionIDLen = 32

// tlsSessionCache is the server's cache of resumable TLS sessions, oldest
// evicted first. It outlives the TLS configurations CONFIG SET rebuilds.
type tlsSessionCache struct {
	now     func() time.Time
	size    func() int64         // 0: no limit, as OpenSSL
	timeout func() time.Duration // a session older than this is not resumed

	mu    sync.Mutex
	order list.List // of *tlsSession, newest at the front
	byID  map[string]*list.Element
}

type tlsSession struct {
	id      string
	state   []byte // tls.SessionState.Bytes
	created time.Time
}

// wrap stores a session the handshake wants the client to resume later
// and returns its id, which the client gets as its ticket
// (tls.Config.WrapSession). A resumed handshake wraps its session again:
// the timeout then counts from it.
func (c *tlsSessionCache) wrap(_ tls.ConnectionState, ss *tls.SessionState) ([]byte, error) {
	state, err := ss.Bytes()
	if err != nil {
		return nil, err
	}
	id := make([]byte, tlsSessionIDLen)
	if _, err := rand.Read(id); err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.byID == nil {
		c.byID = make(map[string]*list.Element)
	}
	c.byID[string(id)] = c.order.PushFront(&tlsSession{id: string(id), state: state, created: c.now()})
	c.trimLocked()
	return id, nil
}

// unwrap returns the session a client's ticket names, or nil, for a full
// handshake, when it is unknown, evicted or timed out
// (tls.Config.UnwrapSession).
func (c *tlsSessionCache) unwrap(id []byte, _ tls.ConnectionState) (*tls.SessionState, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.trimLocked()
	e, ok := c.byID[string(id)]
	if !ok {
		return nil, nil
	}
	ss, err := tls.ParseSessionState(e.Value.(*tlsSession).state)
	if err != nil {
		c.removeLocked(e)
		return nil, nil
	}
	return ss, nil
}

// trimLocked drops the sessions past the size limit and the timed-out
// ones, which are the oldest.
func (c *tlsSessionCache) trimLocked() {
	limit := int(c.size())
	deadline := c.now().Add(-c.timeout())
	for e := c.order.Back(); e != nil; e = c.order.Back() {
		s := e.Value.(*tlsSession)
		if (limit > 0 && c.order.Len() > limit) || !s.created.After(deadline) {
			c.removeLocked(e)
			continue
		}
		break
	}
}

func (c *tlsSessionCache) removeLocked(e *list.Element) {
	delete(c.byID, e.Value.(*tlsSession).id)
	c.order.Remove(e)
}

// len returns the number of sessions held, timed out or not.
func (c *tlsSessionCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.order.Len()
}

// clientPreferredConfig returns cfg narrowed to the client's most preferred
// TLS 1.2 cipher suite that cfg allows and its certificate can use, for
// tls-prefer-server-ciphers no. Go picks by its own order otherwise, which
// is the server's preference. A handshake that will be TLS 1.3, whose
// suites Go does not let a server choose, keeps cfg.
func clientPreferredConfig(cfg *tls.Config, hello *tls.ClientHelloInfo) *tls.Config {
	if (cfg.MaxVersion == 0 || cfg.MaxVersion >= tls.VersionTLS13) && slices.Contains(hello.SupportedVersions, tls.VersionTLS13) {
		return cfg
	}
	if len(cfg.Certificates) == 0 {
		return cfg
	}
	ecdsaKey := false
	switch cfg.Certificates[0].PrivateKey.(type) {
	case *ecdsa.PrivateKey, ed25519.PrivateKey:
		ecdsaKey = true
	case *rsa.PrivateKey:
	default:
		return cfg
	}
	allowed := cfg.CipherSuites
	if allowed == nil {
		allowed = defaultTLS12Suites()
	}
	for _, id := range hello.CipherSuites {
		if !slices.Contains(allowed, id) {
			continue
		}
		name := tls.CipherSuiteName(id)
		if strings.Contains(name, "_ECDSA_") != ecdsaKey {
			continue // the certificate cannot sign for it
		}
		narrowed := cfg.Clone()
		narrowed.CipherSuites = []uint16{id}
		return narrowed
	}
	return cfg // nothing in common: let the handshake fail as it would
}

// defaultTLS12Suites are the TLS 1.2 suites Go's server enables by
// default: its secure suites, without the CBC-SHA256 ones and the RSA key
// exchange, which it leaves out unless configured.
func defaultTLS12Suites() []uint16 {
	var ids []uint16
	for _, s := range tls.CipherSuites() {
		if !slices.Contains(s.SupportedVersions, tls.VersionTLS12) || strings.HasSuffix(s.Name, "_CBC_SHA256") ||
			strings.HasPrefix(s.Name, "TLS_RSA_") {
			continue
		}
		ids = append(ids, s.ID)
	}
	return ids
}
