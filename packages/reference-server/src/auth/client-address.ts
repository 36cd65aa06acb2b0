import { type Cidr, formatIp, type Ip, inCidr, parseCidr, parseIp } from './ip.js'

/** The proxies whose forwarding headers are believed: a list of ranges. */
export type TrustedProxies = readonly Cidr[]

/**
 * `10.0.0.0/8,::1,fd00::/8` as ranges; `loopback` stands for `127.0.0.0/8,::1`. Returns the entries that
 * are neither (empty when all parse), so the caller can name them.
 */
export function parseTrustedProxies(list: string): { ranges: Cidr[]; bad: string[] } {
  const ranges: Cidr[] = []
  const bad: string[] = []
  for (const entry of list
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean)) {
    const expanded = entry.toLowerCase() === 'loopback' ? ['127.0.0.0/8', '::1'] : [entry]
    for (const text of expanded) {
      const range = parseCidr(text)
      if (range) ranges.push(range)
      else bad.push(entry)
    }
  }
  return { ranges, bad }
}

/** One hop as a proxy writes it: `1.2.3.4`, `1.2.3.4:5678`, `2001:db8::1`, `[2001:db8::1]:4711`. */
function hop(text: string): Ip | null {
  const s = text.trim()
  const bracketed = /^\[([^\]]+)\](?::\d{1,5})?$/.exec(s)
  if (bracketed) return parseIp(bracketed[1]!)
  const v4WithPort = /^([\d.]+):\d{1,5}$/.exec(s)
  return parseIp(v4WithPort ? v4WithPort[1]! : s)
}

/** `X-Forwarded-For: client, proxy1, proxy2`: its hops, leftmost first. */
const xffHops = (header: string) => header.split(',').map(hop)

/**
 * `Forwarded: for=192.0.2.60;proto=https, for="[2001:db8::1]:4711"` (RFC 7239): the `for` of each
 * element, leftmost first. An element without one, or with `unknown` or an obfuscated name (`_hidden`),
 * is a hop that cannot be read (null).
 */
function forwardedHops(header: string): Array<Ip | null> {
  return header.split(',').map((element) => {
    for (const pair of element.split(';')) {
      const eq = pair.indexOf('=')
      if (eq === -1 || pair.slice(0, eq).trim().toLowerCase() !== 'for') continue
      const value = pair.slice(eq + 1).trim()
      return hop(value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1) : value)
    }
    return null
  })
}

/**
 * The client's address, as `clientIp` gives it to the attempt limits. Only when the socket's peer is a
 * trusted proxy are the forwarding headers read: `X-Forwarded-For`, or `Forwarded` (`for=`), right to left,
 * skipping trusted hops; the first untrusted one is the client (when every hop is trusted, the leftmost).
 * Each proxy appends the address it was reached from, so what a client wrote itself lies left of its own
 * address and is never reached. The peer is the answer when it is not trusted, when a hop cannot be read,
 * and when a request carries both headers: a proxy writes one of them, so the other came from the client,
 * and which is which cannot be told (the peer then keys every such request on one budget, the proxy's).
 */
export function clientAddress(
  peer: string | undefined,
  headers: { xForwardedFor?: string | undefined; forwarded?: string | undefined },
  trusted: TrustedProxies,
): string | undefined {
  const peerIp = peer === undefined ? null : parseIp(peer)
  if (!peerIp || !trusted.some((r) => inCidr(peerIp, r))) return peer
  const { xForwardedFor: xff, forwarded } = headers
  if ((xff === undefined) === (forwarded === undefined)) return peer
  const hops = xff !== undefined ? xffHops(xff) : forwardedHops(forwarded!)
  let client: Ip = peerIp
  for (let i = hops.length - 1; i >= 0; i--) {
    const ip = hops[i]
    if (!ip) return peer
    client = ip
    if (!trusted.some((r) => inCidr(ip, r))) break
  }
  return formatIp(client)
}
