package admin

import (
	"context"
	"crypto/subtle"
	"strings"

	adminv1 "github.com/mini-redis/mini-redis/admin/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

// readOnly reports whether a call only reads: on a loopback listener such
// calls go without the token. Any other call needs the token whenever one
// is set, so an RPC added to the service is guarded until it is listed
// here.
func readOnly(method string) bool {
	switch method {
	case adminv1.Admin_GetStats_FullMethodName, adminv1.Admin_WatchStats_FullMethodName,
		adminv1.Admin_GetCommandStats_FullMethodName, adminv1.Admin_ListClients_FullMethodName,
		adminv1.Admin_GetConfig_FullMethodName:
		return true
	}
	// Reflection only describes the API (grpcurl list and describe).
	return strings.HasPrefix(method, "/grpc.reflection.")
}

// authenticator checks bearer tokens on calls.
type authenticator struct {
	token string
	all   bool // every call needs the token
}

// needsToken reports whether a call to method must carry the token. Health
// checks never do: load balancers and probes cannot add metadata.
func (a authenticator) needsToken(method string) bool {
	if a.token == "" || strings.HasPrefix(method, "/grpc.health.v1.Health/") {
		return false
	}
	return a.all || !readOnly(method)
}

func (a authenticator) check(ctx context.Context, method string) error {
	if !a.needsToken(method) {
		return nil
	}
	md, _ := metadata.FromIncomingContext(ctx)
	for _, v := range md.Get("authorization") {
		got, ok := strings.CutPrefix(v, "Bearer ")
		if ok && subtle.ConstantTimeCompare([]byte(got), []byte(a.token)) == 1 {
			return nil
		}
	}
	return status.Error(codes.Unauthenticated, "missing or invalid admin token (metadata \"authorization: Bearer <token>\")")
}

func (a authenticator) unary(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
	if err := a.check(ctx, info.FullMethod); err != nil {
		return nil, err
	}
	return handler(ctx, req)
}

func (a authenticator) stream(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
	if err := a.check(ss.Context(), info.FullMethod); err != nil {
		return err
	}
	return handler(srv, ss)
}
