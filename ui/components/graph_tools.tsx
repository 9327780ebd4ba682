/**
 * Zoom in, zoom out and fit buttons of the run graph. They need the client
 * script (which shows them); without it the graph is drawn at its natural
 * size in a scrolling box. With it, the mouse wheel zooms at the pointer and
 * dragging pans.
 */
export function GraphTools() {
  return (
    <div class="row pad" role="toolbar" aria-label="Graph view" data-graph-tools hidden>
      <button type="button" class="secondary" data-zoom="in" aria-label="Zoom in">+</button>
      <button type="button" class="secondary" data-zoom="out" aria-label="Zoom out">−</button>
      <button type="button" class="secondary" data-zoom="fit">Fit</button>
      <span class="small muted">Scroll to zoom, drag to pan.</span>
    </div>
  );
}
