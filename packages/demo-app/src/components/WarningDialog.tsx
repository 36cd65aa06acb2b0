import { useSessionWarning } from '@leash/sdk/react'
import { useEffect, useRef } from 'react'

/** The "stay signed in" dialog: opens before the session times out, counts down, offers both ways out. */
export function WarningDialog() {
  const { open, secondsLeft, reason, extend, logout } = useSessionWarning()
  const stay = useRef<HTMLButtonElement>(null)
  useEffect(() => {
    if (open) stay.current?.focus()
  }, [open])
  if (!open) return null
  const absolute = reason === 'absolute'
  return (
    <div className="backdrop">
      <div
        className="card dialog"
        role="alertdialog"
        aria-labelledby="warning-title"
        aria-describedby="warning-text"
        onKeyDown={(e) => {
          if (e.key === 'Escape') void extend()
        }}
      >
        <h2 id="warning-title">Still there?</h2>
        <p id="warning-text">
          {absolute ? 'Your session reaches its maximum length' : 'You will be signed out for inactivity'} in{' '}
          <strong className="countdown" data-testid="warning-countdown">
            {secondsLeft} s
          </strong>
          .
        </p>
        <div className="row end">
          <button type="button" className="button subtle" onClick={() => void logout()}>
            Sign out
          </button>
          {!absolute && (
            <button ref={stay} type="button" className="button primary" onClick={() => void extend()}>
              Stay signed in
            </button>
          )}
        </div>
      </div>
    </div>
  )
}
