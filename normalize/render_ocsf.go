package normalize

// renderOCSF is being written; it renders native meanwhile.
func renderOCSF(w *jsonw, ev *Event) { renderNative(w, ev) }
