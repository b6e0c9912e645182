"""Forms (Flask-WTF: CSRF token on every form)."""
from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional, Regexp


class LoginForm(FlaskForm):
    username = StringField("Identifiant", validators=[DataRequired(), Length(max=60)])
    password = PasswordField("Mot de passe", validators=[DataRequired(), Length(max=200)])
    extension = StringField("Poste", validators=[Optional(), Regexp(r"^\d{2,6}$",
                                                                   message="poste numérique")])


class UserForm(FlaskForm):
    username = StringField("Identifiant", validators=[DataRequired(), Length(max=60)])
    display_name = StringField("Nom affiché", validators=[DataRequired(), Length(max=100)])
    password = PasswordField("Mot de passe", validators=[DataRequired(), Length(min=8, max=200)])
    role = SelectField("Rôle", choices=[("agent", "Agent"), ("supervisor", "Superviseur"),
                                        ("admin", "Administrateur")])
    extension = StringField("Poste", validators=[Optional(), Regexp(r"^\d{2,6}$")])
    queues = StringField("Files (séparées par des virgules)", validators=[Optional()])
