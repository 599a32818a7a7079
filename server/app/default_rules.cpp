#include "app/default_rules.hpp"

namespace kelisim::app {

std::string_view default_rules(std::string_view language) {
  if (language == "kk")
    return "1. Бір-біріміздің сөзімізді бөлмейміз, кезекпен сөйлейміз.\n"
           "2. Бір-бірімізге құрметпен қараймыз: қорлау мен қоқан-лоққыға жол жоқ.\n"
           "3. Жеке кеңесте айтылған сөз сіз рұқсат бермейінше басқа тарапқа жеткізілмейді.\n"
           "4. Сессия хаттамаға жазылады; хаттаманы тек әкімші экспорттай алады.\n"
           "5. Үзіліс керек болса, медиаторға белгі беріңіз.";
  if (language == "ru")
    return "1. Говорим по очереди и не перебиваем друг друга.\n"
           "2. Уважаем друг друга: без оскорблений и угроз.\n"
           "3. Сказанное на индивидуальной встрече не передаётся другой стороне без вашего разрешения.\n"
           "4. Сессия записывается в стенограмму; выгрузить её может только администратор.\n"
           "5. Если нужна пауза, подайте сигнал медиатору.";
  return "1. We speak one at a time and do not interrupt.\n"
         "2. We treat each other with respect: no insults, no threats.\n"
         "3. What you say in a private caucus is not passed to the other side unless you allow it.\n"
         "4. The session is recorded in a transcript that only the administrator can export.\n"
         "5. If you need a pause, signal the mediator.";
}

}  // namespace kelisim::app
