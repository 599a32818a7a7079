#include "app/export_labels.hpp"

namespace kelisim::app {
namespace {

const export_labels english{
    "Transcript", "Room", "Language", "Created", "Exported", "Complete (all channels)",
    "Joint session only (caucuses left out)", "As seen by one participant", "Participants",
    "Joint session", "Private caucus", "Confidential: only this caucus's members and the mediators saw this.",
    "Private signals to the mediator", "Time", "Hash chain head", "events not in this scope (kept as hashes)",
    "Administrator", "System", "side", "may be shared with the other side", "translation of #",
    "Members", "Check this file with: kelisim verify FILE (JSON export)",
    "Room created: {title}", "{whom} entered the lobby", "{whom} accepted the ground rules and the recording notice",
    "{whom} was admitted by {who}", "{whom} was not admitted ({who})", "{whom} raised a hand",
    "{whom} lowered the hand", "{whom} has the floor", "{whom} no longer has the floor ({reason})",
    "Turn mode: {mode}, {seconds} s per turn", "Caucus opened: {caucus}", "Caucus closed: {caucus}",
    "{whom} joined the caucus {caucus}", "{whom} left the caucus {caucus}",
    "{who} signalled the mediator", "{whom} was muted by {who}", "{whom} may speak again",
    "{whom} was removed from the room", "The session was paused", "The session resumed",
    "The session ended", "Agreement draft, version {version}", "{whom} signed version {version} of the agreement",
    "The signature of {whom} on version {version} was voided",
    {"mediator", "party", "advisor", "interpreter", "observer"},
    {"open", "moderated", "round"},
    {"yielded", "withdrawn by the mediator", "time is up"},
    {"scheduled", "lobby open", "in session", "paused", "ended"}};

const export_labels russian{
    "Стенограмма", "Комната", "Язык", "Создана", "Выгружено", "Полная (все каналы)",
    "Только общая сессия (без индивидуальных встреч)", "Как видел один участник", "Участники",
    "Общая сессия", "Индивидуальная встреча (кокус)",
    "Конфиденциально: это видели только участники встречи и медиаторы.",
    "Личные сигналы медиатору", "Время", "Вершина цепочки хешей", "событий вне выборки (сохранены как хеши)",
    "Администратор", "Система", "сторона", "можно передать другой стороне", "перевод сообщения #",
    "Участники", "Проверка файла: kelisim verify ФАЙЛ (выгрузка JSON)",
    "Комната создана: {title}", "{whom} вошёл(-ла) в зал ожидания",
    "{whom} принял(а) правила и уведомление о записи", "{whom} допущен(а) в комнату ({who})",
    "{whom} не допущен(а) ({who})", "{whom} поднял(а) руку", "{whom} опустил(а) руку",
    "Слово предоставлено: {whom}", "{whom} больше не говорит ({reason})",
    "Режим очерёдности: {mode}, {seconds} с на выступление", "Открыта встреча: {caucus}",
    "Закрыта встреча: {caucus}", "{whom} присоединился(-ась) к встрече {caucus}",
    "{whom} покинул(а) встречу {caucus}", "{who} подал(а) сигнал медиатору",
    "{whom} временно не может писать ({who})", "{whom} снова может писать",
    "{whom} удалён(а) из комнаты", "Сессия приостановлена", "Сессия возобновлена", "Сессия завершена",
    "Проект соглашения, версия {version}", "{whom} подписал(а) версию {version} соглашения",
    "Подпись {whom} под версией {version} аннулирована",
    {"медиатор", "сторона", "советник", "переводчик", "наблюдатель"},
    {"свободный", "модерируемый", "по кругу"},
    {"передал(а) слово", "слово отозвано медиатором", "время истекло"},
    {"запланирована", "зал ожидания открыт", "идёт сессия", "пауза", "завершена"}};

const export_labels kazakh{
    "Хаттама", "Бөлме", "Тіл", "Құрылған уақыты", "Экспортталған уақыты", "Толық (барлық арналар)",
    "Тек ортақ сессия (жеке кеңестерсіз)", "Бір қатысушы көргендей", "Қатысушылар",
    "Ортақ сессия", "Жеке кеңес",
    "Құпия: мұны тек осы кеңестің мүшелері мен медиаторлар көрді.",
    "Медиаторға жеке белгілер", "Уақыт", "Хэш тізбегінің соңы", "осы таңдауға кірмеген оқиға (хэш ретінде сақталған)",
    "Әкімші", "Жүйе", "жақ", "екінші тарапқа жеткізуге болады", "аудармасы: #",
    "Мүшелер", "Файлды тексеру: kelisim verify ФАЙЛ (JSON экспорты)",
    "Бөлме құрылды: {title}", "{whom} күту залына кірді",
    "{whom} ережелермен және жазба туралы ескертумен келісті", "{whom} бөлмеге кіргізілді ({who})",
    "{whom} кіргізілмеді ({who})", "{whom} қол көтерді", "{whom} қолын түсірді",
    "Сөз берілді: {whom}", "{whom} сөзін аяқтады ({reason})",
    "Сөз кезегі: {mode}, бір сөзге {seconds} с", "Жеке кеңес ашылды: {caucus}",
    "Жеке кеңес жабылды: {caucus}", "{whom} {caucus} кеңесіне қосылды", "{whom} {caucus} кеңесінен шықты",
    "{who} медиаторға белгі берді", "{whom} уақытша жаза алмайды ({who})", "{whom} қайтадан жаза алады",
    "{whom} бөлмеден шығарылды", "Сессия үзіліске қойылды", "Сессия жалғасты", "Сессия аяқталды",
    "Келісім жобасы, {version}-нұсқа", "{whom} келісімнің {version}-нұсқасына қол қойды",
    "{whom} қойған қол ({version}-нұсқа) жарамсыз болды",
    {"медиатор", "тарап", "кеңесші", "аудармашы", "бақылаушы"},
    {"еркін", "модератормен", "шеңбер бойынша"},
    {"сөзді берді", "медиатор сөзді қайтарып алды", "уақыт бітті"},
    {"жоспарланған", "күту залы ашық", "сессия жүріп жатыр", "үзіліс", "аяқталды"}};

}  // namespace

const export_labels& labels_for(std::string_view language) {
  if (language == "kk") return kazakh;
  if (language == "ru") return russian;
  return english;
}

}  // namespace kelisim::app
