import { LeashError } from '@leash/sdk'
import { useLeashClient } from '@leash/sdk/react'
import { type FormEvent, useEffect, useState } from 'react'

interface Note {
  id: string
  text: string
  created_at: string
}

const message = (e: unknown) => (e instanceof LeashError ? `${e.message} (${e.code})` : 'The request failed.')

/** The protected resource: the signed-in user's notes, loaded and added through `leash.http`. */
export function Notes() {
  const client = useLeashClient()
  const [notes, setNotes] = useState<Note[] | null>(null)
  const [text, setText] = useState('')
  const [error, setError] = useState<string | null>(null)

  useEffect(() => {
    let current = true
    client.http.get<{ notes: Note[] }>('/api/notes').then(
      (r) => current && setNotes(r.data.notes),
      (e: unknown) => current && setError(message(e)),
    )
    return () => {
      current = false
    }
  }, [client])

  const add = async (event: FormEvent) => {
    event.preventDefault()
    if (!text.trim()) return
    setError(null)
    try {
      const r = await client.http.post<{ note: Note }>('/api/notes', { text })
      setNotes((list) => [...(list ?? []), r.data.note])
      setText('')
    } catch (e) {
      setError(message(e))
    }
  }

  return (
    <section className="card notes" aria-labelledby="notes-title">
      <h2 id="notes-title">Notes</h2>
      <form className="row" onSubmit={add}>
        <label className="grow">
          <span className="sr-only">New note</span>
          <input
            value={text}
            onChange={(e) => setText(e.target.value)}
            placeholder="Write a note…"
            maxLength={2000}
          />
        </label>
        <button type="submit" className="button primary">
          Add note
        </button>
      </form>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {notes === null && !error && <p className="muted">Loading notes…</p>}
      {notes?.length === 0 && <p className="muted">No notes yet.</p>}
      {notes && notes.length > 0 && (
        <ul className="list" aria-label="Your notes">
          {notes.map((n) => (
            <li key={n.id}>
              <span>{n.text}</span>
              <time dateTime={n.created_at}>{new Date(n.created_at).toLocaleTimeString()}</time>
            </li>
          ))}
        </ul>
      )}
    </section>
  )
}
