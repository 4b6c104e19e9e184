// Downloads of exports (CSV, xlsx) from the API: the file is fetched with the
// session cookie, saved under the name the server gives in
// Content-Disposition (filename*=UTF-8''…, RFC 5987), and the outcome shown;
// an error answer's message is shown as the server wrote it.
import { ElMessage } from 'element-plus';
import { API_BASE, queryString } from './api.js';

// path: "/people/export"; query: the list's filters with format; fallback: the file name when the server gives none.
// Resolves to the file name, or null when the download failed (already reported).
export async function downloadExport(path, query, fallback) {
  try {
    const response = await fetch(`${API_BASE}${path}${queryString(query)}`, { credentials: 'same-origin' });
    if (!response.ok) {
      let message = `导出失败（HTTP ${response.status}）`;
      try {
        const body = await response.json();
        if (body && body.error && body.error.message) message = body.error.message;
      } catch {
        /* not JSON */
      }
      ElMessage.error(message);
      return null;
    }
    const blob = await response.blob();
    const disposition = response.headers.get('content-disposition') || '';
    const m = /filename\*=UTF-8''([^;]+)/i.exec(disposition);
    const name = m ? decodeURIComponent(m[1]) : fallback;
    const url = URL.createObjectURL(blob);
    const a = document.createElement('a');
    a.href = url;
    a.download = name;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
    ElMessage.success(`已导出 ${name}`);
    return name;
  } catch (error) {
    ElMessage.error(`导出失败：${error.message || error}`);
    return null;
  }
}
