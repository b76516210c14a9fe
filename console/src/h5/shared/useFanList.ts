import { onMounted, ref, type Ref } from "vue";
import { showToast } from "vant";
import { errorMessage } from "../api";

/** A list the page shows once loaded; a failure is a toast and leaves the list empty. */
export function useFanList<Row>(load: () => Promise<Row[]>): { rows: Ref<Row[]>; loading: Ref<boolean> } {
  const rows = ref([]) as Ref<Row[]>;
  const loading = ref(true);
  onMounted(async () => {
    try {
      rows.value = await load();
    } catch (error) {
      showToast(errorMessage(error, "加载失败，请稍后重试"));
    } finally {
      loading.value = false;
    }
  });
  return { rows, loading };
}

/** "2026/11/24" */
export const day = (iso: string) => new Date(iso).toLocaleDateString("zh-CN");
