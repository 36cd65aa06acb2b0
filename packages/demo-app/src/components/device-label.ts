// A User-Agent string is the device's own claim, sent at sign-in and never checked by the server: it is
// turned into a short label for people to recognise their devices, and only ever rendered as text.

const BROWSERS: Array<[RegExp, string]> = [
  [/\bEdg(?:e|A|iOS)?\//, 'Edge'],
  [/\bOPR\//, 'Opera'],
  [/\b(?:Firefox|FxiOS)\//, 'Firefox'],
  [/\b(?:HeadlessChrome|Chrome|CriOS)\//, 'Chrome'],
  [/\bVersion\/[\d.]+.*\bSafari\//, 'Safari'],
]

const SYSTEMS: Array<[RegExp, string]> = [
  [/\biPhone\b/, 'iPhone'],
  [/\biPad\b/, 'iPad'],
  [/\bAndroid\b/, 'Android'],
  [/\bCrOS\b/, 'ChromeOS'],
  [/\bWindows\b/, 'Windows'],
  [/\bMac OS X\b|\bMacintosh\b/, 'macOS'],
  [/\bLinux\b/i, 'Linux'],
]

const find = (table: Array<[RegExp, string]>, ua: string) => table.find(([re]) => re.test(ua))?.[1]

/**
 * "Chrome on Linux", "Safari on iPhone"; for other clients the last `name/version` product ("curl",
 * "jsdom on Linux"); "Unknown device" without a User-Agent.
 * @example deviceLabel('Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) … Version/17.4 Mobile/15E148 Safari/604.1') // 'Safari on iPhone'
 */
export function deviceLabel(userAgent: string | null): string {
  const ua = userAgent?.trim() ?? ''
  const products = ua.match(/[\w.-]+(?=\/)/g) ?? []
  const browser = find(BROWSERS, ua) ?? products.at(-1)?.slice(0, 32)
  const system = find(SYSTEMS, ua)
  if (browser && system) return `${browser} on ${system}`
  return browser ?? system ?? 'Unknown device'
}
