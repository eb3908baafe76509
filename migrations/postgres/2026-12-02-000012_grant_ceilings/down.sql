DROP TABLE grant_ceilings;
