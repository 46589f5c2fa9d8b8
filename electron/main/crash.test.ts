import { describe, expect, it } from 'vitest';
import { crashReporterOptions } from './crash';

describe('crash reporter options', () => {
  it('keeps dumps on the PC unless an https upload address is configured', () => {
    for (const url of [undefined, '', 'http://crash.example/upload', 'file:///tmp/x', 'https://user:pw@crash.example/', 'not a url']) {
      expect(crashReporterOptions(url)).toMatchObject({ uploadToServer: false, submitURL: '' });
    }
    expect(crashReporterOptions('https://crash.example/upload')).toMatchObject({ uploadToServer: true, submitURL: 'https://crash.example/upload' });
  });

  it('sends nothing about the shop, the operator or a payment with a dump', () => {
    expect(crashReporterOptions(undefined).globalExtra).toEqual({ product: 'VillageCashier' });
  });
});
