package auth_test
