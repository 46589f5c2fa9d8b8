// @vitest-environment happy-dom
/**
 * The focus is never left on the body while a screen is shown: a new screen starts in the work
 * area unless it focused its own field, a control removed with its step hands the focus back to
 * the work area, and `v-focus` puts it on the field a step starts with.
 */
import { mount } from '@vue/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { defineComponent, nextTick, ref } from 'vue';
import { focusScreen, keepFocusInScreen, vFocus } from './focus';

function workArea(): HTMLElement {
  const main = document.createElement('main');
  main.id = 'main';
  main.tabIndex = -1;
  main.innerHTML = '<button id="step">下一步</button><input id="field" />';
  document.body.appendChild(main);
  return main;
}
const settle = () => new Promise((r) => setTimeout(r, 0));

afterEach(() => {
  document.body.innerHTML = '';
});

describe('focus on a screen change', () => {
  it('a new screen starts with the focus in the work area, not on the body', () => {
    const main = workArea();
    expect(document.activeElement).toBe(document.body);
    focusScreen(main);
    expect(document.activeElement).toBe(main);
  });

  it('leaves a field the screen focused itself', () => {
    const main = workArea();
    const field = main.querySelector<HTMLInputElement>('#field')!;
    field.focus();
    focusScreen(main);
    expect(document.activeElement).toBe(field);
  });

  it('takes the focus from the header (a menu item clicked) into the work area', () => {
    const main = workArea();
    const link = document.createElement('a');
    link.href = '#/history';
    document.body.prepend(link);
    link.focus();
    focusScreen(main);
    expect(document.activeElement).toBe(main);
  });

  it('gives the focus back to the work area when the focused control goes away with its step', async () => {
    const main = workArea();
    const stop = keepFocusInScreen(main);
    const step = main.querySelector<HTMLButtonElement>('#step')!;
    step.focus();
    step.remove();
    await settle();
    expect(document.activeElement).toBe(main);
    stop();
  });

  it('v-focus puts the focus on the field a step starts with when it appears', async () => {
    const shown = ref(false);
    const w = mount(
      defineComponent({
        directives: { focus: vFocus },
        setup: () => ({ shown }),
        template: '<div><input v-if="shown" v-focus data-testid="name" /><input v-focus="false" data-testid="other" /></div>',
      }),
      { attachTo: document.body },
    );
    expect(document.activeElement).toBe(document.body);
    shown.value = true;
    await nextTick();
    expect(document.activeElement).toBe(w.find('[data-testid="name"]').element);
    w.unmount();
  });
});
