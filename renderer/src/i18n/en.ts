import type zh from './zh-CN';

/** English: the product's second language. Typed against zh-CN so a missing key fails the build. */
const en: typeof zh = {
  app: {
    title: 'Village Cashier',
    training: 'TRAINING',
    trainingBanner: 'Training mode: no real money',
    language: '中文',
    languageLabel: 'Switch language',
    elderMode: 'Large type',
    logout: 'Log out',
    skipToMain: 'Skip to main content',
  },
  login: {
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
  role: {
    cashier: 'Cashier',
    supervisor: 'Supervisor',
    agent: 'Agent',
    trainer: 'Trainer',
    admin: 'Admin',
  },
  status: {
    network: 'Network',
    online: 'Online',
    weak: 'Weak signal',
    offline: 'Offline',
    rtt: '{ms} ms',
    operator: 'Operator',
    terminal: 'Terminal',
  },
  checkout: {
    title: 'Checkout',
    amount: 'Amount due',
    ready: 'Enter the amount',
  },
};
export default en;
