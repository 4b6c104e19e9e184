// Thin fetch wrapper for the Fengqiao JSON API (/api/v1).
//
// Contract with the server:
//  - the session cookie is HttpOnly, so requests go out with
//    credentials: 'same-origin' and the cookie is never touched here;
//  - every state-changing request (POST/PUT/PATCH/DELETE) carries the
//    X-CSRF-Token header with the token from the session answer;
//  - errors come back as {"error":{"code","message","field"?}} with a proper
//    HTTP status; they are raised as ApiError and, unless the caller asks for
//    quiet, shown to the user with ElMessage.
//  - a 401 from any call means the session is gone: the registered handler
//    sends the user to the login page.
import { ElMessage } from 'element-plus';

export const API_BASE = '/api/v1';

const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

let csrfToken = '';
let unauthorizedHandler = null;

export function setCsrfToken(token) {
  csrfToken = token || '';
}

// fn(error) is called on every 401 that the caller did not opt out of.
export function onUnauthorized(fn) {
  unauthorizedHandler = fn;
}

export class ApiError extends Error {
  constructor(status, code, message, field) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.field = field || null;
  }
}

const STATUS_MESSAGES = {
  400: '请求有误',
  401: '登录已失效，请重新登录',
  403: '没有权限执行此操作',
  404: '请求的内容不存在',
  409: '数据已被他人修改，请刷新后重试',
  413: '提交的内容过大',
  429: '操作过于频繁，请稍后再试',
  500: '服务器内部错误',
  502: '服务暂不可用',
  503: '服务暂不可用，请稍后再试',
  504: '服务响应超时',
};

function fallbackMessage(status) {
  return STATUS_MESSAGES[status] || `请求失败（HTTP ${status}）`;
}

// Builds "?a=1&b=2", dropping empty values so the server sees only set filters.
export function queryString(params) {
  if (!params) return '';
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === null || value === '') continue;
    search.append(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

async function readBody(response) {
  if (response.status === 204) return null;
  const text = await response.text();
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

// request(method, path, { body, query, quiet, no401 })
//   path   is relative to /api/v1 ("/users") unless it starts with "/api/".
//   quiet  suppresses the ElMessage for errors (the caller shows them).
//   no401  skips the global 401 handler (login and the initial session probe).
//   headers extra request headers (e.g. Idempotency-Key).
export async function request(method, path, options = {}) {
  const { body, query, quiet = false, no401 = false, signal, headers: extraHeaders } = options;
  const upper = method.toUpperCase();
  const url = (path.startsWith('/api/') ? path : API_BASE + path) + queryString(query);
  const headers = { ...(extraHeaders || {}), Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (UNSAFE_METHODS.has(upper) && csrfToken) headers['X-CSRF-Token'] = csrfToken;

  let response;
  try {
    response = await fetch(url, {
      method: upper,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
      cache: 'no-store',
      signal,
    });
  } catch (cause) {
    if (cause && cause.name === 'AbortError') throw cause;
    const error = new ApiError(0, 'network_error', '无法连接服务器，请检查网络');
    if (!quiet) ElMessage.error(error.message);
    throw error;
  }

  const data = await readBody(response);
  if (response.ok) return data;

  const detail = data && data.error ? data.error : {};
  const error = new ApiError(
    response.status,
    detail.code || `http_${response.status}`,
    detail.message || fallbackMessage(response.status),
    detail.field,
  );
  if (response.status === 401 && !no401 && unauthorizedHandler) {
    unauthorizedHandler(error);
    throw error;
  }
  if (!quiet) ElMessage.error(error.message);
  throw error;
}

export const api = {
  get: (path, options) => request('GET', path, options),
  post: (path, body, options) => request('POST', path, { ...options, body }),
  put: (path, body, options) => request('PUT', path, { ...options, body }),
  patch: (path, body, options) => request('PATCH', path, { ...options, body }),
  del: (path, options) => request('DELETE', path, options),
};
