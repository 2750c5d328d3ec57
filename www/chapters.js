// The chapter list (#chapters): one item per chapter with its title and
// path, reordered with the "Move up" and "Move down" buttons or by drag and
// drop. Items are moved as nodes rather than re-rendered, so keyboard focus
// stays on the button that was pressed.

const DRAG_TYPE = 'application/x-quire-chapter';

export class ChapterList {
  #list;
  #announcer;
  #onReorder;
  /** The item being dragged, or null. */
  #dragged = null;

  /**
   * `list` is the `ol`; `announcer` a live region that reports moves to
   * screen readers; `onReorder(paths)` runs after every move.
   */
  constructor(list, announcer, onReorder) {
    this.#list = list;
    this.#announcer = announcer;
    this.#onReorder = onReorder;

    list.addEventListener('click', (event) => this.#handleClick(event));
    list.addEventListener('dragstart', (event) => this.#handleDragStart(event));
    list.addEventListener('dragover', (event) => this.#handleDragOver(event));
    list.addEventListener('dragleave', (event) => this.#handleDragLeave(event));
    list.addEventListener('drop', (event) => this.#handleDrop(event));
    list.addEventListener('dragend', () => this.#endDrag());
  }

  /** Shows chapters given as { path, title }, in the given order. */
  show(chapters) {
    this.#list.replaceChildren(...chapters.map((chapter) => createItem(chapter)));
    this.#updateButtons();
  }

  /** Returns the chapter paths in the order shown. */
  paths() {
    return [...this.#list.children].map((item) => item.dataset.path);
  }

  #handleClick(event) {
    const button = event.target.closest('button[data-move]');
    if (!button || button.getAttribute('aria-disabled') === 'true') {
      return;
    }
    const item = button.closest('li');
    const sibling = button.dataset.move === 'up' ? item.previousElementSibling : item.nextElementSibling;
    if (!sibling) {
      return;
    }

    if (button.dataset.move === 'up') {
      sibling.before(item);
    } else {
      sibling.after(item);
    }
    button.focus();
    this.#afterMove(item);
  }

  #afterMove(item) {
    this.#updateButtons();
    const position = [...this.#list.children].indexOf(item) + 1;
    this.#announcer.textContent = `${item.dataset.label} is now chapter ${position} of ${this.#list.children.length}.`;
    this.#onReorder(this.paths());
  }

  /**
   * Marks the first item's "Move up" and the last item's "Move down" with
   * aria-disabled instead of disabled, so a button that has just moved its
   * chapter to an end keeps the focus.
   */
  #updateButtons() {
    const items = [...this.#list.children];
    items.forEach((item, index) => {
      item.querySelector('[data-move="up"]').setAttribute('aria-disabled', String(index === 0));
      item.querySelector('[data-move="down"]').setAttribute('aria-disabled', String(index === items.length - 1));
    });
  }

  #handleDragStart(event) {
    const item = event.target.closest?.('li');
    if (!item) {
      return;
    }
    this.#dragged = item;
    item.classList.add('dragging');
    event.dataTransfer.effectAllowed = 'move';
    event.dataTransfer.setData(DRAG_TYPE, item.dataset.path);
  }

  #handleDragOver(event) {
    const target = event.target.closest?.('li');
    if (!this.#dragged || !event.dataTransfer.types.includes(DRAG_TYPE) || !target) {
      return;
    }
    event.preventDefault();
    event.dataTransfer.dropEffect = 'move';
    this.#clearDropMarks();
    if (target !== this.#dragged) {
      target.classList.add(isInLowerHalf(event, target) ? 'drop-after' : 'drop-before');
    }
  }

  #handleDragLeave(event) {
    if (!this.#list.contains(event.relatedTarget)) {
      this.#clearDropMarks();
    }
  }

  #handleDrop(event) {
    const target = event.target.closest?.('li');
    const item = this.#dragged;
    if (!item || !event.dataTransfer.types.includes(DRAG_TYPE)) {
      return;
    }
    event.preventDefault();
    if (target && target !== item) {
      if (isInLowerHalf(event, target)) {
        target.after(item);
      } else {
        target.before(item);
      }
      this.#afterMove(item);
    }
    this.#endDrag();
  }

  #endDrag() {
    this.#dragged?.classList.remove('dragging');
    this.#dragged = null;
    this.#clearDropMarks();
  }

  #clearDropMarks() {
    for (const marked of this.#list.querySelectorAll('.drop-before, .drop-after')) {
      marked.classList.remove('drop-before', 'drop-after');
    }
  }
}

function isInLowerHalf(event, element) {
  const box = element.getBoundingClientRect();
  return event.clientY > box.top + box.height / 2;
}

function createItem({ path, title }) {
  const label = title || path;

  const item = document.createElement('li');
  item.dataset.path = path;
  item.dataset.label = label;
  item.draggable = true;

  const text = document.createElement('span');
  text.className = 'chapter-text';
  const titleElement = document.createElement('span');
  titleElement.className = 'chapter-title';
  titleElement.textContent = title || 'Untitled (no heading)';
  const pathElement = document.createElement('code');
  pathElement.className = 'chapter-path';
  pathElement.textContent = path;
  text.append(titleElement, pathElement);

  const moves = document.createElement('span');
  moves.className = 'chapter-moves';
  moves.append(createMoveButton('up', label), createMoveButton('down', label));

  item.append(text, moves);
  return item;
}

function createMoveButton(direction, label) {
  const button = document.createElement('button');
  button.type = 'button';
  button.dataset.move = direction;
  button.textContent = `Move ${direction}`;
  // The accessible name starts with the visible text, so voice control
  // users can say what they see.
  button.setAttribute('aria-label', `Move ${direction}: ${label}`);
  return button;
}
