import { defineMessages } from '../../i18n/define';

export const messages = defineMessages(
  {
    title: '操作员登录',
    chooseOperator: '请选择操作员',
    enterPin: '请输入 {name} 的 PIN',
    pinLabel: 'PIN 码',
    submit: '登录',
    back: '返回',
    clear: '清除',
    demoHint: '培训模式 PIN：{pin}',
    loggingIn: '正在登录…',
  },
  {
    title: 'Operator login',
    chooseOperator: 'Choose an operator',
    enterPin: 'Enter the PIN of {name}',
    pinLabel: 'PIN',
    submit: 'Log in',
    back: 'Back',
    clear: 'Clear',
    demoHint: 'Training PIN: {pin}',
    loggingIn: 'Logging in…',
  },
);
