//! The address a login comes from, for throttling (#8.6).
//!
//! Behind a load balancer every connection comes from the balancer, so counting failures per TCP
//! peer would let five bad logins by anyone lock out everyone. The operator lists the proxies in
//! front of the API (`--trusted-proxies`); when the peer is one of them, the client is the
//! right-most address in `X-Forwarded-For` that is not itself a trusted proxy. A header from
//! anyone else is ignored: a client cannot choose its own address by sending one.

use std::net::IpAddr;
use std::str::FromStr;

use actix_web::HttpRequest;

/// An address or a CIDR block (`10.0.0.0/8`, `2001:db8::/32`) of proxies we trust.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TrustedProxy {
    network: IpAddr,
    prefix: u8,
}

impl FromStr for TrustedProxy {
    type Err = String;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        let (address, prefix) = value.trim().split_once('/').map_or((value.trim(), None), |(a, p)| (a, Some(p)));
        let network: IpAddr = address.parse().map_err(|_| format!("`{value}` is not an IP address or CIDR block"))?;
        let bits = if network.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => bits,
            Some(p) => p.parse::<u8>().ok().filter(|p| *p <= bits).ok_or_else(|| format!("`{value}`: bad prefix"))?,
        };
        Ok(Self { network, prefix })
    }
}

impl TrustedProxy {
    pub fn contains(&self, address: IpAddr) -> bool {
        let to_bits = |ip: IpAddr| match ip {
            IpAddr::V4(v4) => u128::from(u32::from(v4)) << 96,
            IpAddr::V6(v6) => u128::from(v6),
        };
        let address = address.to_canonical();
        if self.network.is_ipv4() != address.is_ipv4() {
            return false;
        }
        let mask = if self.prefix == 0 { 0 } else { u128::MAX << (128 - u32::from(self.prefix)) };
        to_bits(self.network) & mask == to_bits(address) & mask
    }
}

/// The proxies whose `X-Forwarded-For` is believed (none by default).
#[derive(Debug, Clone, Default)]
pub struct TrustedProxies(pub Vec<TrustedProxy>);

impl TrustedProxies {
    fn trusts(&self, address: IpAddr) -> bool {
        self.0.iter().any(|proxy| proxy.contains(address))
    }

    /// The client's address: the TCP peer, or, when the peer is a trusted proxy, the right-most
    /// `X-Forwarded-For` entry that is not a trusted proxy. An entry that is not an address ends
    /// the walk at the proxy that wrote it.
    pub fn client_address(&self, request: &HttpRequest) -> String {
        let Some(peer) = request.peer_addr().map(|a| a.ip().to_canonical()) else {
            return String::new();
        };
        let mut client = peer;
        if self.trusts(peer) {
            let forwarded: Vec<&str> = request
                .headers()
                .get_all("x-forwarded-for")
                .filter_map(|v| v.to_str().ok())
                .flat_map(|v| v.split(','))
                .map(str::trim)
                .collect();
            for entry in forwarded.iter().rev() {
                match entry.parse::<IpAddr>() {
                    Ok(address) => {
                        client = address.to_canonical();
                        if !self.trusts(client) {
                            break;
                        }
                    }
                    Err(_) => break,
                }
            }
        }
        client.to_string()
    }
}

#[cfg(test)]
mod tests {
    use actix_web::test::TestRequest;

    use super::*;

    fn proxies(list: &[&str]) -> TrustedProxies {
        TrustedProxies(list.iter().map(|p| p.parse().unwrap_or_else(|e| panic!("{e}"))).collect())
    }

    fn from(peer: &str, forwarded: Option<&str>) -> HttpRequest {
        let mut request = TestRequest::default().peer_addr(peer.parse().unwrap_or_else(|e| panic!("{e}")));
        if let Some(value) = forwarded {
            request = request.insert_header(("X-Forwarded-For", value));
        }
        request.to_http_request()
    }

    #[test]
    fn blocks_and_addresses_parse_and_match() {
        let block: TrustedProxy = "10.1.0.0/16".parse().unwrap_or_else(|e| panic!("{e}"));
        assert!(block.contains("10.1.255.3".parse().unwrap_or_else(|e| panic!("{e}"))));
        assert!(!block.contains("10.2.0.1".parse().unwrap_or_else(|e| panic!("{e}"))));
        assert!(!block.contains("::1".parse().unwrap_or_else(|e| panic!("{e}"))));
        let v6: TrustedProxy = "2001:db8::/32".parse().unwrap_or_else(|e| panic!("{e}"));
        assert!(v6.contains("2001:db8:1::5".parse().unwrap_or_else(|e| panic!("{e}"))));
        for bad in ["", "10.0.0.0/33", "proxy.example", "10.0.0.1/x", "::/129"] {
            assert!(bad.parse::<TrustedProxy>().is_err(), "{bad}");
        }
    }

    #[test]
    fn the_header_counts_only_from_a_trusted_proxy() {
        let none = TrustedProxies::default();
        assert_eq!(none.client_address(&from("192.0.2.7:4000", Some("203.0.113.9"))), "192.0.2.7");
        let lb = proxies(&["10.0.0.0/8"]);
        assert_eq!(lb.client_address(&from("192.0.2.7:4000", Some("203.0.113.9"))), "192.0.2.7");
        assert_eq!(lb.client_address(&from("10.0.0.2:4000", Some("203.0.113.9"))), "203.0.113.9");
        // A client-written first entry is not believed: the right-most untrusted one is.
        assert_eq!(lb.client_address(&from("10.0.0.2:4000", Some("1.2.3.4, 203.0.113.9, 10.0.0.5"))), "203.0.113.9");
        // No header, or garbage written by the client: the proxy itself (or the last good hop).
        assert_eq!(lb.client_address(&from("10.0.0.2:4000", None)), "10.0.0.2");
        assert_eq!(lb.client_address(&from("10.0.0.2:4000", Some("not-an-ip"))), "10.0.0.2");
    }
}
