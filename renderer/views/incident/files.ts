import { downloadFile } from '../../components/download';

/** A picked file's bytes as base64 (what `incident.open` takes). */
export async function readAsBase64(file: Blob): Promise<string> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let binary = '';
  const chunk = 0x8000;
  for (let i = 0; i < bytes.length; i += chunk)
    binary += String.fromCharCode(...bytes.subarray(i, i + chunk));
  return btoa(binary);
}

/** Saves base64 bytes as a download, through the one file-download helper (a Blob URL, never markup). */
export function downloadBase64(fileName: string, base64: string, type = 'application/octet-stream'): void {
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  downloadFile(fileName, type, bytes);
}
