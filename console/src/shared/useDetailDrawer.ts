import { ref, type Ref } from "vue";
import { ElMessage } from "element-plus";
import { errorMessage } from "../api/ApiError";

/**
 * A drawer working one record of a list (an application, a complaint ticket): open it with the record's
 * detail, run a command that returns the changed record, and refresh the list after each change.
 */
export function useDetailDrawer<Detail extends { id: string }>(source: {
  load: (id: string) => Promise<Detail>;
  /** Called after a command succeeded (usually: search the list again). */
  changed: () => Promise<void>;
}) {
  const current = ref(null) as Ref<Detail | null>;
  const drawerOpen = ref(false);
  const acting = ref(false);

  /** Loads the record and opens the drawer; `prepare` resets the page's inputs for it first. */
  async function open(id: string, prepare?: (detail: Detail) => void): Promise<void> {
    try {
      const detail = await source.load(id);
      current.value = detail;
      prepare?.(detail);
      drawerOpen.value = true;
    } catch (error) {
      ElMessage.error(errorMessage(error, "加载失败"));
    }
  }

  /** Runs a command on the open record; true when it succeeded. */
  async function run(command: (id: string) => Promise<Detail>, done: string): Promise<boolean> {
    if (!current.value) return false;
    const id = current.value.id;
    acting.value = true;
    try {
      current.value = await command(id);
      ElMessage.success(done);
      await source.changed();
      return true;
    } catch (error) {
      ElMessage.error(errorMessage(error, "操作失败"));
      // Someone else may have moved it: show what it is now.
      current.value = await source.load(id).catch(() => current.value);
      return false;
    } finally {
      acting.value = false;
    }
  }

  return { current, drawerOpen, acting, open, run };
}
