import { defineMessages } from '../../i18n/define';

export const messages = defineMessages(
  {
    title: '诊断包',
    hint: '技术支持需要时，导出诊断包并通过微信发给他们：包含版本、系统、设备状态、近几天的日志和数据库检查结果，不含顾客或操作员的个人信息、PIN 或密钥。',
    export: '导出诊断包',
    exporting: '正在导出…',
    written: '已保存到 {path}（{kb} KB）。',
  },
  {
    title: 'Diagnostics bundle',
    hint: 'When support asks, export the diagnostics bundle and send it to them over WeChat: versions, system, device states, the last days of logs and the database checks — no customer or operator personal data, PINs or keys.',
    export: 'Export diagnostics bundle',
    exporting: 'Exporting…',
    written: 'Saved to {path} ({kb} KB).',
  },
);
