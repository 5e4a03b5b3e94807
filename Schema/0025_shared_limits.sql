-- Issue 18: the public submission limits hold for the whole deployment, not per server. One
-- token bucket per client (and per event door), keyed by a hash of the client's address under
-- the district's form secret, never the address. Unlogged: a crash may forget buckets, which
-- only forgives some requests; nothing here is worth WAL or a replica's copy.
CREATE UNLOGGED TABLE rate_buckets (
    key bytea PRIMARY KEY,
    tokens double precision NOT NULL,
    updated_at timestamptz NOT NULL
);
