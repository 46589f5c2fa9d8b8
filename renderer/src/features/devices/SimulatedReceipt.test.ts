// @vitest-environment happy-dom
import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import type { PrintedReceipt } from '../../../../core/api/devices';
import { makeI18n } from '../../i18n';
import SimulatedReceipt from './SimulatedReceipt.vue';
import { maskScan } from './store';

const receipt: PrintedReceipt = {
  columns: 32,
  blocks: [
    { kind: 'text', align: 'center', runs: [{ text: '示范村便民店', bold: true, width: 2, height: 2 }] },
    { kind: 'text', align: 'left', runs: [{ text: '合计', bold: true, width: 1, height: 1 }, { text: '  49.00', bold: false, width: 1, height: 1 }] },
    { kind: 'text', align: 'left', runs: [] },
    { kind: 'barcode', align: 'center', symbology: 'code128', content: 'PAY20261128000123', showText: true },
    { kind: 'qr', align: 'center', content: 'https://r.example.cn/e/1', moduleSize: 5, errorLevel: 'M', matrix: ['101', '010', '101'] },
    { kind: 'cut', partial: true },
    { kind: 'pulse', pin: 0, onMs: 100, offMs: 500 },
  ],
};

describe('SimulatedReceipt', () => {
  const w = mount(SimulatedReceipt, { props: { receipt }, global: { plugins: [makeI18n('zh-CN')] } });

  it('draws every line with its alignment and emphasis', () => {
    const lines = w.findAll('.line');
    expect(lines[0]!.classes()).toContain('al-center');
    expect(lines[0]!.find('.bold').text()).toBe('示范村便民店');
    expect(lines[1]!.text()).toBe('合计  49.00');
  });

  it('draws the QR from the module matrix, labelled with its content for screen readers', () => {
    const svg = w.find('[data-testid="sim-qr"]');
    expect(svg.attributes('aria-label')).toContain('https://r.example.cn/e/1');
    // five dark modules, offset by the 4-module quiet zone
    expect(svg.find('path').attributes('d')).toBe('M4 4h1v1h-1zM6 4h1v1h-1zM5 5h1v1h-1zM4 6h1v1h-1zM6 6h1v1h-1z');
  });

  it('shows the barcode number, the cut and the drawer pulse', () => {
    expect(w.text()).toContain('PAY20261128000123');
    expect(w.text()).toContain('切纸');
    expect(w.text()).toContain('钱箱弹开（100 毫秒脉冲）');
  });
});

describe('maskScan', () => {
  it('shows only the first and last four characters of a long code', () => {
    expect(maskScan('134567890123456789')).toBe('1345 **** 6789');
    expect(maskScan('TEST1234')).toBe('TEST1234');
  });
});
