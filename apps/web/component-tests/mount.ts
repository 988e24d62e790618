import { flushSync, mount, unmount, type Component } from 'svelte';

/** Mounts a component into a fresh container; returns it and a cleanup. */
export function render<P extends Record<string, unknown>>(component: Component<P>, props: P) {
  const target = document.createElement('div');
  document.body.appendChild(target);
  const instance = mount(component, { target, props });
  flushSync();
  return {
    target,
    destroy() {
      void unmount(instance);
      target.remove();
    },
  };
}

export function input(target: HTMLElement, name: string, value: string): void {
  const field = target.querySelector<HTMLInputElement>(`input[name="${name}"]`)!;
  field.value = value;
  field.dispatchEvent(new Event('input', { bubbles: true }));
  flushSync();
}

export function submit(form: HTMLFormElement): void {
  form.dispatchEvent(new Event('submit', { bubbles: true, cancelable: true }));
  flushSync();
}
