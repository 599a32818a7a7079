// room.html is an alias of the room page. Replace (not push) the history entry, so the address
// that carried the token does not stay in the back-button history; the fragment stays client-side.
location.replace(`index.html${location.hash}`);
