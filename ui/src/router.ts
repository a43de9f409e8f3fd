import { createRouter, createWebHashHistory, type RouteRecordRaw } from 'vue-router'

// An area appears in the navigation only once it works (meta.nav); meta.keys names the page's
// own shortcuts, shown in the shell's shortcut bar after the global ones.
export const routes: RouteRecordRaw[] = [
  { path: '/', redirect: '/dashboard' },
  { path: '/dashboard', name: 'dashboard', component: () => import('./views/dashboard/DashboardView.vue'), meta: { nav: 'dashboard', icon: 'DataAnalysis' } },
  { path: '/enterprise', name: 'enterprise', component: () => import('./views/enterprise/EnterpriseView.vue'), meta: { nav: 'enterprise', icon: 'OfficeBuilding', keys: 'enterprise.keyboard' } },
  { path: '/rent', name: 'rent', component: () => import('./views/rent/RentView.vue'), meta: { nav: 'rent', icon: 'Money' } },
  { path: '/cert', name: 'cert', component: () => import('./views/cert/CertView.vue'), meta: { nav: 'cert', icon: 'Medal' } },
  { path: '/notice', name: 'notice', component: () => import('./views/notice/NoticeView.vue'), meta: { nav: 'notice', icon: 'Document' } },
  { path: '/import', name: 'import', component: () => import('./views/import/ImportView.vue'), meta: { nav: 'import', icon: 'Upload' } },
  { path: '/settings', name: 'settings', component: () => import('./views/settings/SettingsView.vue'), meta: { nav: 'settings', icon: 'Setting' } },
]

export const router = createRouter({ history: createWebHashHistory(), routes })
