import { defineMessages } from '../../i18n/define';

export const messages = defineMessages(
  {
    title: '顾客显示屏',
    welcome: '欢迎光临',
    amount: '应付金额',
    paidAmount: '金额',
    prompt: {
      showCode: '请出示付款码',
      showOfflineCode: '请出示离线付款码',
      scanQr: '请用手机扫描二维码付款',
      face: '请看向摄像头',
      userpaying: '请在手机上输入密码',
      wait: '正在处理，请稍候',
    },
    result: { paid: '支付成功', offline: '离线受理，待上传', pending: '处理中', failed: '支付未成功' },
    qrAlt: '收款二维码',
    expires: '{s} 秒后失效',
    receipt: '扫码保存电子小票',
    receiptAlt: '电子小票二维码',
  },
  {
    title: 'Customer display',
    welcome: 'Welcome',
    amount: 'Amount to pay',
    paidAmount: 'Amount',
    prompt: {
      showCode: 'Please show your payment code',
      showOfflineCode: 'Please show your offline payment code',
      scanQr: 'Scan the QR code with your phone to pay',
      face: 'Please look at the camera',
      userpaying: 'Please enter your password on your phone',
      wait: 'Processing, please wait',
    },
    result: { paid: 'Payment successful', offline: 'Accepted offline, pending upload', pending: 'Processing', failed: 'Payment not completed' },
    qrAlt: 'Payment QR code',
    expires: 'Expires in {s} s',
    receipt: 'Scan to keep your e-receipt',
    receiptAlt: 'E-receipt QR code',
  },
);
