import { computed, ref, type Ref } from "vue";
import { ElMessage } from "element-plus";
import { errorMessage } from "../api/ApiError";

/**
 * A filtered list the server pages newest first with a `before` cursor (applications, complaints, audit
 * log, payment orders): `search()` starts over with the current filter, `search(true)` appends the next page.
 */
export function useKeysetList<Page extends { nextBefore: string | null }, Row>(source: {
  fetch: (before: string | undefined) => Promise<Page>;
  rowsOf: (page: Page) => Row[];
  /** The toast when a page cannot be loaded. */
  failure?: string;
}) {
  const rows = ref([]) as Ref<Row[]>;
  /** The last page loaded, with whatever else the server sent along (counts, SLA). */
  const page = ref(null) as Ref<Page | null>;
  const loading = ref(false);
  const nextBefore = computed(() => page.value?.nextBefore ?? null);

  async function search(more = false): Promise<void> {
    loading.value = true;
    try {
      const result = await source.fetch(more ? (nextBefore.value ?? undefined) : undefined);
      rows.value = more ? [...rows.value, ...source.rowsOf(result)] : source.rowsOf(result);
      page.value = result;
    } catch (error) {
      ElMessage.error(errorMessage(error, source.failure ?? "查询失败"));
    } finally {
      loading.value = false;
    }
  }

  return { rows, page, nextBefore, loading, search };
}
