/** A file the browser saves (in Electron, the save dialog): a Blob URL, never HTML. */
export function downloadFile(
  fileName: string,
  mediaType: string,
  data: string | Uint8Array<ArrayBuffer>,
): void {
  const type = typeof data === 'string' ? `${mediaType};charset=utf-8` : mediaType;
  const url = URL.createObjectURL(new Blob([data], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** `firebreak-models-2026-12-03.csv`: what the table is, and the day (local) it was taken. */
export function exportFileName(what: string, ext: string, now = new Date()): string {
  const day = `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, '0')}-${String(now.getDate()).padStart(2, '0')}`;
  return `firebreak-${what}-${day}.${ext}`;
}
