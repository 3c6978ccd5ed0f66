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

// mutating reports whether a call changes the server: such calls need the
// token whenever one is set.
func mutating(method string) bool {
	switch method {
	case adminv1.Admin_Shutdown_FullMethodName, adminv1.Admin_KillClient_FullMethodName,
		adminv1.Admin_SetConfig_FullMethodName, adminv1.Admin_FlushDB_FullMethodName,
		adminv1.Admin_Save_FullMethodName, adminv1.Admin_BackgroundSave_FullMethodName:
		return true
	}
	return false
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
	return a.all || mutating(method)
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
