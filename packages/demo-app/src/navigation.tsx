import { type AnchorHTMLAttributes, type MouseEvent, useSyncExternalStore } from 'react'

// The demo's few pages need no router: the path picks the page, `navigate` moves without a reload, and the
// browser's back and forward buttons work (popstate). The pages of links in mail (/reset-password,
// /verify-email) load index.html as any path does: Vite's dev server and preview answer every page path with it.

const NAVIGATED = 'leash-demo:navigate'

function subscribe(onChange: () => void) {
  window.addEventListener('popstate', onChange)
  window.addEventListener(NAVIGATED, onChange)
  return () => {
    window.removeEventListener('popstate', onChange)
    window.removeEventListener(NAVIGATED, onChange)
  }
}

/** The page's path (`location.pathname`), kept current. */
export function usePath(): string {
  return useSyncExternalStore(
    subscribe,
    () => window.location.pathname,
    () => '/',
  )
}

/** Goes to `to` (a path, with its query if any) in this page, as a link would, without a reload. */
export function navigate(to: string) {
  window.history.pushState(null, '', to)
  window.dispatchEvent(new Event(NAVIGATED))
}

/** A link within the demo: a real `href` (it opens in a new tab too), followed in place on a plain click. */
export function Link({ href, onClick, ...rest }: AnchorHTMLAttributes<HTMLAnchorElement> & { href: string }) {
  const follow = (e: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(e)
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return
    e.preventDefault()
    navigate(href)
  }
  return <a href={href} onClick={follow} {...rest} />
}
