import { onMounted, reactive, ref, type Ref } from "vue";
import { ElMessage, ElMessageBox } from "element-plus";
import { errorMessage } from "../api/ApiError";
import { fieldErrors } from "./fieldErrors";

/** The dialog's state: the form's fields, whether it is open, and which row it edits (null: a new one). */
export type CrudEditor<Form> = Form & { open: boolean; id: string | null };

export interface CrudListSource<Row extends { id: string }, Form extends object> {
  fetch: () => Promise<Row[]>;
  /** A new row's form; `count` rows exist already (new rows go last by default). */
  blank: (count: number) => Form;
  /** The form for editing `row`; arrays are copied so cancelling leaves the row untouched. */
  formOf: (row: Row) => Form;
  /** Creates (id null) or updates a row from the form. */
  write: (id: string | null, form: Form) => Promise<unknown>;
  remove: (row: Row) => Promise<void>;
  /** The zh-CN question asked before deleting `row`. */
  removeQuestion: (row: Row) => string;
}

/**
 * An admin list edited through one dialog (guides, outlets, fee standards, keyword rules): loading with a
 * toast on failure, create/edit filling the dialog, save showing the server's problems under their fields,
 * and delete after a confirmation. Each page keeps its own table and form markup.
 */
export function useCrudList<Row extends { id: string }, Form extends object>(source: CrudListSource<Row, Form>) {
  const rows = ref([]) as Ref<Row[]>;
  const loading = ref(false);
  const saving = ref(false);
  /** The server's problems, shown under their fields. */
  const errors = ref<Record<string, string>>({});
  const editor = reactive({ open: false, id: null, ...source.blank(0) }) as CrudEditor<Form>;

  async function load(): Promise<void> {
    loading.value = true;
    try {
      rows.value = await source.fetch();
    } catch (error) {
      ElMessage.error(errorMessage(error, "加载失败"));
    } finally {
      loading.value = false;
    }
  }
  onMounted(load);

  function create(): void {
    errors.value = {};
    Object.assign(editor, { open: true, id: null, ...source.blank(rows.value.length) });
  }

  function edit(row: Row): void {
    errors.value = {};
    Object.assign(editor, { open: true, id: row.id, ...source.formOf(row) });
  }

  async function save(): Promise<void> {
    saving.value = true;
    try {
      await source.write(editor.id, editor);
      editor.open = false;
      errors.value = {};
      ElMessage.success("已保存");
      await load();
    } catch (error) {
      errors.value = fieldErrors(error);
      ElMessage.error(errorMessage(error, "保存失败"));
    } finally {
      saving.value = false;
    }
  }

  async function remove(row: Row): Promise<void> {
    try {
      await ElMessageBox.confirm(source.removeQuestion(row), "删除", { type: "warning", confirmButtonText: "删除", cancelButtonText: "取消" });
    } catch {
      return;
    }
    try {
      await source.remove(row);
      await load();
    } catch (error) {
      ElMessage.error(errorMessage(error, "删除失败"));
    }
  }

  return { rows, loading, saving, errors, editor, load, create, edit, save, remove };
}
