// State and loading for a server-paged list answering
// {"items":[…],"total","page","per_page"}.
import { reactive } from 'vue';
import { api } from './api.js';

export function usePagedList(path, { perPage = 20 } = {}) {
  const state = reactive({
    items: [],
    total: 0,
    page: 1,
    perPage,
    sort: '',
    loading: false,
    error: null,
  });
  let seq = 0;

  // filters: plain object of query parameters; empty values are dropped.
  async function load(filters = {}) {
    const mine = ++seq;
    state.loading = true;
    state.error = null;
    try {
      const answer = await api.get(path, {
        query: { ...filters, sort: state.sort, page: state.page, per_page: state.perPage },
      });
      if (mine !== seq) return;
      state.items = (answer && answer.items) || [];
      state.total = (answer && answer.total) || 0;
      if (answer && answer.page) state.page = answer.page;
      if (answer && answer.per_page) state.perPage = answer.per_page;
    } catch (error) {
      if (mine !== seq) return;
      state.items = [];
      state.total = 0;
      state.error = error.message;
    } finally {
      if (mine === seq) state.loading = false;
    }
  }

  return { state, load };
}

// el-table sort-change → "field" or "-field" (descending), "" for none.
export function sortParam({ prop, order }) {
  if (!prop || !order) return '';
  return order === 'descending' ? `-${prop}` : prop;
}
