import { type LeashClient, LeashError } from '@leash/sdk'
import { useLeashClient, useReauthentication } from '@leash/sdk/react'
import {
  createContext,
  type FormEvent,
  type ReactNode,
  useCallback,
  useContext,
  useRef,
  useState,
} from 'react'

/** Runs an action; see `useStepUp`. */
type StepUp = <T>(action: () => Promise<T>) => Promise<T>

interface Waiter {
  resolve(value: unknown): void
  reject(error: unknown): void
  refusal: LeashError
}

const StepUpContext = createContext<StepUp>((action) => action())

/** The sign-in time (`auth_time`, s) of the access token the client holds; a step-up moves it, a refresh does not. */
function authTime(client: LeashClient): number | null {
  const payload = client.store.getState().accessToken?.split('.')[1]
  if (!payload) return null
  try {
    return JSON.parse(atob(payload.replace(/-/g, '+').replace(/_/g, '/'))).auth_time ?? null
  } catch {
    return null
  }
}

/**
 * Mounts the "Confirm your password" dialog once, for everything inside: it opens whenever the server refuses
 * a request `reauthentication_required` (the password change, signing out another device, admin actions:
 * they take a recent sign-in), and sends the refused request again once the password is confirmed.
 */
export function StepUpProvider({ children }: { children: ReactNode }) {
  const client = useLeashClient()
  const { required, confirm, cancel } = useReauthentication()
  const waiters = useRef<Waiter[]>([])
  const settle = (each: (w: Waiter) => void) => {
    const list = waiters.current
    waiters.current = []
    for (const w of list) each(w)
  }

  const stepUp = useCallback<StepUp>(async (action) => {
    try {
      return await action()
    } catch (e) {
      if (!(e instanceof LeashError && e.code === 'reauthentication_required')) throw e
      // The dialog is open (the refusal was told before it was thrown): its outcome is this action's.
      return new Promise((resolve, reject) => {
        waiters.current.push({ resolve: resolve as (value: unknown) => void, reject, refusal: e })
      })
    }
  }, [])

  return (
    <StepUpContext.Provider value={stepUp}>
      {children}
      {required && (
        <ConfirmPasswordDialog
          onConfirm={async (password) => {
            const before = authTime(client)
            try {
              // `confirm` steps up, then retries the first refused request once and resolves with its answer.
              const value = await confirm(password)
              settle((w) => w.resolve(value))
            } catch (e) {
              // Still the old sign-in: the password was wrong (or the server busy); the dialog stays open.
              if (authTime(client) === before) throw e
              settle((w) => w.reject(e)) // stepped up, but the retried action itself failed
            }
          }}
          onCancel={() => {
            cancel()
            settle((w) => w.reject(w.refusal))
          }}
        />
      )}
    </StepUpContext.Provider>
  )
}

/**
 * Wraps an action that may need a recent sign-in: resolves with its answer, or, when the server refused it
 * `reauthentication_required`, with the answer to its retry once the dialog's password is confirmed. A
 * cancelled dialog rejects with the refusal (the action was not done).
 * @example const stepUp = useStepUp(); await stepUp(() => client.changePassword({ current, next }))
 */
export function useStepUp(): StepUp {
  return useContext(StepUpContext)
}

const reasons: Record<string, string> = {
  invalid_credentials: 'Wrong password.',
  rate_limited: 'Too many attempts. Wait a minute and try again.',
}

function ConfirmPasswordDialog({
  onConfirm,
  onCancel,
}: {
  onConfirm(password: string): Promise<void>
  onCancel(): void
}) {
  const [password, setPassword] = useState('')
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)

  const submit = async (event: FormEvent) => {
    event.preventDefault()
    setBusy(true)
    setError(null)
    try {
      await onConfirm(password)
    } catch (e) {
      const code = e instanceof LeashError ? e.code : 'network_error'
      setError(reasons[code] ?? `Could not confirm (${code}).`)
      setBusy(false)
    }
  }

  return (
    <div className="backdrop">
      <form
        className="card dialog"
        role="dialog"
        aria-modal="true"
        aria-labelledby="confirm-title"
        aria-describedby="confirm-text"
        onSubmit={submit}
        onKeyDown={(e) => {
          if (e.key === 'Escape') onCancel()
        }}
      >
        <h2 id="confirm-title">Confirm your password</h2>
        <p id="confirm-text">
          This action needs a recent sign-in. Enter your password to go on; it is done right after.
        </p>
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        <label>
          Your password
          <input
            type="password"
            autoComplete="current-password"
            // biome-ignore lint/a11y/noAutofocus: a modal dialog's first field takes the focus when it opens
            autoFocus
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            required
          />
        </label>
        <div className="row end">
          <button type="button" className="button subtle" onClick={onCancel}>
            Cancel
          </button>
          <button type="submit" className="button primary" disabled={busy}>
            {busy ? 'Confirming…' : 'Confirm'}
          </button>
        </div>
      </form>
    </div>
  )
}
