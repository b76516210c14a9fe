import type { App, Plugin } from "vue";
import {
  ElAlert,
  ElAside,
  ElBadge,
  ElButton,
  ElCheckbox,
  ElCollapse,
  ElCollapseItem,
  ElContainer,
  ElDatePicker,
  ElDescriptions,
  ElDescriptionsItem,
  ElDialog,
  ElDrawer,
  ElDropdown,
  ElDropdownItem,
  ElDropdownMenu,
  ElEmpty,
  ElForm,
  ElFormItem,
  ElHeader,
  ElIcon,
  ElImage,
  ElInput,
  ElInputNumber,
  ElLoading,
  ElMain,
  ElMenu,
  ElMenuItem,
  ElOption,
  ElPagination,
  ElPopover,
  ElRadio,
  ElRadioButton,
  ElRadioGroup,
  ElSelect,
  ElSwitch,
  ElTabPane,
  ElTable,
  ElTableColumn,
  ElTabs,
  ElTag,
  ElTimeSelect,
  ElTimeline,
  ElTimelineItem,
  ElTooltip,
  provideGlobalConfig,
} from "element-plus";
import zhCn from "element-plus/es/locale/lang/zh-cn";

/**
 * The Element Plus components the console uses, registered one by one so the bundle carries only
 * these (installing the whole library ships every component). Add a component here when a template
 * starts using a new `<el-…>` tag. ElMessage, ElMessageBox and ElNotification are imported where used.
 */
const COMPONENTS: Plugin[] = [
  ElAlert, ElAside, ElBadge, ElButton, ElCheckbox, ElCollapse, ElCollapseItem, ElContainer, ElDatePicker,
  ElDescriptions, ElDescriptionsItem, ElDialog, ElDrawer, ElDropdown, ElDropdownItem, ElDropdownMenu, ElEmpty,
  ElForm, ElFormItem, ElHeader, ElIcon, ElImage, ElInput, ElInputNumber, ElMain, ElMenu, ElMenuItem, ElOption,
  ElPagination, ElPopover, ElRadio, ElRadioButton, ElRadioGroup, ElSelect, ElSwitch, ElTabPane, ElTable,
  ElTableColumn, ElTabs, ElTag, ElTimeSelect, ElTimeline, ElTimelineItem, ElTooltip,
];

export const elementPlus: Plugin = {
  install(app: App) {
    // zh-CN for built-in texts (date pickers, pagination, empty states), as app.use(ElementPlus, { locale }) would.
    provideGlobalConfig({ locale: zhCn }, app, true);
    for (const component of COMPONENTS) app.use(component);
    app.use(ElLoading); // the v-loading directive
  },
};
