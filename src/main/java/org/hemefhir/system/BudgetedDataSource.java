package org.hemefhir.system;

import java.io.PrintWriter;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.SQLTimeoutException;
import java.sql.Statement;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * The database as a request sees it: every statement run on behalf of a request gets the
 * time left in the request's {@link RequestBudget} as its JDBC query timeout, is
 * registered so that it can be cancelled when the client goes away, and is not started at
 * all once the budget is spent. Statements of threads without a budget (start-up, batch
 * jobs) run without a timeout.
 */
public final class BudgetedDataSource implements DataSource {

	private final DataSource delegate;

	public BudgetedDataSource(DataSource delegate) {
		this.delegate = delegate;
	}

	@Override
	public Connection getConnection() throws SQLException {
		return wrap(delegate.getConnection());
	}

	@Override
	public Connection getConnection(String username, String password) throws SQLException {
		return wrap(delegate.getConnection(username, password));
	}

	private static Connection wrap(Connection connection) {
		return (Connection) Proxy.newProxyInstance(BudgetedDataSource.class.getClassLoader(),
				new Class<?>[] { Connection.class }, new ConnectionHandler(connection));
	}

	private record ConnectionHandler(Connection connection) implements InvocationHandler {
		@Override
		public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
			Object result = call(connection, method, args);
			String name = method.getName();
			if (result instanceof Statement statement
					&& (name.startsWith("prepare") || name.equals("createStatement"))) {
				Class<?> type = statement instanceof CallableStatement ? CallableStatement.class
						: statement instanceof PreparedStatement ? PreparedStatement.class : Statement.class;
				return Proxy.newProxyInstance(BudgetedDataSource.class.getClassLoader(), new Class<?>[] { type },
						new StatementHandler(statement));
			}
			return result;
		}
	}

	private record StatementHandler(Statement statement) implements InvocationHandler {
		@Override
		public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
			if (!method.getName().startsWith("execute")) {
				return call(statement, method, args);
			}
			RequestBudget budget = RequestBudget.current().orElse(null);
			if (budget == null) {
				// a pooled connection may carry a timeout from a request before (H2 keeps
				// it per session)
				statement.setQueryTimeout(0);
				return call(statement, method, args);
			}
			if (budget.isOver()) {
				throw new SQLTimeoutException("The request was stopped: its time budget ran out or its client left");
			}
			statement.setQueryTimeout((int) Math.max(1, (budget.remainingMillis() + 999) / 1000));
			budget.running(statement);
			try {
				if (budget.isOver()) {
					// stopped between the check above and the registration: its cancel
					// missed this statement
					throw new SQLTimeoutException(
							"The request was stopped: its time budget ran out or its client left");
				}
				return call(statement, method, args);
			}
			finally {
				budget.finished(statement);
			}
		}
	}

	private static Object call(Object target, Method method, Object[] args) throws Throwable {
		try {
			return method.invoke(target, args);
		}
		catch (InvocationTargetException e) {
			throw e.getCause();
		}
	}

	@Override
	public PrintWriter getLogWriter() throws SQLException {
		return delegate.getLogWriter();
	}

	@Override
	public void setLogWriter(PrintWriter out) throws SQLException {
		delegate.setLogWriter(out);
	}

	@Override
	public void setLoginTimeout(int seconds) throws SQLException {
		delegate.setLoginTimeout(seconds);
	}

	@Override
	public int getLoginTimeout() throws SQLException {
		return delegate.getLoginTimeout();
	}

	@Override
	public Logger getParentLogger() throws SQLFeatureNotSupportedException {
		return delegate.getParentLogger();
	}

	@Override
	public <T> T unwrap(Class<T> type) throws SQLException {
		return type.isInstance(this) ? type.cast(this) : delegate.unwrap(type);
	}

	@Override
	public boolean isWrapperFor(Class<?> type) throws SQLException {
		return type.isInstance(this) || delegate.isWrapperFor(type);
	}

}
