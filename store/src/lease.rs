//! Leases on partitions, in PostgreSQL rows: a worker holds a partition while its lease
//! has not expired, renewing it; taking a lease over (once it expired) raises its fencing
//! token, and every write of a [`crate::PostgresStore`] opened with the old token fails.
//! Expiry is measured by the database's clock, so workers' clocks need not agree.

use std::time::Duration;

use postgres::Client;

use crate::postgres::{backend, connect};
use crate::Result;

/// A lease held: the partition, who holds it, and its fencing token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lease {
    pub partition: i32,
    pub holder: String,
    pub token: i64,
}

/// Who holds a partition now.
#[derive(Clone, Debug, PartialEq)]
pub struct Holder {
    pub holder: String,
    pub token: i64,
    /// Milliseconds until the lease expires (negative: expired that long ago).
    pub expires_in_ms: i64,
}

/// The leases of a PostgreSQL store, on a connection of their own.
pub struct Leases {
    client: Client,
}

fn seconds(ttl: Duration) -> f64 {
    ttl.as_secs_f64()
}

impl Leases {
    /// Connects to the store at `url` (creating its tables if needed).
    pub fn open(url: &str) -> Result<Leases> {
        Leases::open_in(url, None)
    }

    /// The leases of the store kept in `schema`.
    pub fn open_in(url: &str, schema: Option<&str>) -> Result<Leases> {
        Ok(Leases { client: connect(url, schema)? })
    }

    /// Takes the partition for `ttl` if nobody holds it or its lease expired: the lease
    /// with a token one higher than the last. `None` while someone else holds it.
    pub fn acquire(&mut self, partition: i32, holder: &str, ttl: Duration) -> Result<Option<Lease>> {
        let row = self
            .client
            .query_opt(
                "INSERT INTO leases (partition, holder, token, expires)
                 VALUES ($1, $2, 1, now() + make_interval(secs => $3))
                 ON CONFLICT (partition) DO UPDATE
                     SET holder = excluded.holder, token = leases.token + 1, expires = excluded.expires
                     WHERE leases.expires < now()
                 RETURNING token",
                &[&partition, &holder, &seconds(ttl)],
            )
            .map_err(backend)?;
        Ok(row.map(|r| Lease { partition, holder: holder.to_string(), token: r.get(0) }))
    }

    /// Extends a lease held by `ttl` from now. False when it was taken over (the token
    /// moved on): the holder must stop writing.
    pub fn renew(&mut self, lease: &Lease, ttl: Duration) -> Result<bool> {
        let n = self
            .client
            .execute(
                "UPDATE leases SET expires = now() + make_interval(secs => $3) WHERE partition = $1 AND token = $2",
                &[&lease.partition, &lease.token, &seconds(ttl)],
            )
            .map_err(backend)?;
        Ok(n == 1)
    }

    /// Gives a lease up (a clean stop), so a standby takes it at once.
    pub fn release(&mut self, lease: &Lease) -> Result<()> {
        self.client
            .execute(
                "UPDATE leases SET expires = now() - interval '1 second' WHERE partition = $1 AND token = $2",
                &[&lease.partition, &lease.token],
            )
            .map(drop)
            .map_err(backend)
    }

    /// Who holds the partition, if anyone ever did.
    pub fn holder(&mut self, partition: i32) -> Result<Option<Holder>> {
        let row = self
            .client
            .query_opt(
                "SELECT holder, token, (extract(epoch FROM expires - now()) * 1000)::bigint
                 FROM leases WHERE partition = $1",
                &[&partition],
            )
            .map_err(backend)?;
        Ok(row.map(|r| Holder { holder: r.get(0), token: r.get(1), expires_in_ms: r.get(2) }))
    }
}
